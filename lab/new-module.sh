#!/usr/bin/env bash
# Writes the consumer Go module for one etcd or Kubernetes release under lab/<name>-<minor>/ (go.mod + go.sum).
#   bash lab/new-module.sh etcd 3.6.16
#   bash lab/new-module.sh kubernetes 1.37.2
# Afterwards put the version into lab/versions.json and run `npm run lab:build`. Only go.mod and go.sum are committed.
#
# Kubernetes: k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/client-go, ...) at v0.0.0 and
# replaces them with ./staging/src/...; a consumer ignores a dependency's replace directives, so it has to pin every
# staging module itself. The list is taken from the released go.mod (its replace block), never typed by hand, because
# minors add modules (1.36 added k8s.io/streaming, 1.37 k8s.io/cri-streaming).
set -euo pipefail
export GOTOOLCHAIN=local

kind="${1:?usage: new-module.sh etcd|kubernetes VERSION (e.g. 3.6.16 or 1.37.2)}"
version="${2:?usage: new-module.sh etcd|kubernetes VERSION}"
version="${version#v}"
minor="${version%.*}"
lab="$(cd "$(dirname "$0")" && pwd)"
dir="$lab/$kind-$minor"
mkdir -p "$dir"
cd "$dir"
rm -f go.mod go.sum

case "$kind" in
  etcd)
    cat >go.mod <<EOF
// Consumer module: builds the real etcd, etcdctl and etcdutl $version (see lab/README.md).
module handbook/lab/etcd-$minor

go 1.26.0

tool (
	go.etcd.io/etcd/etcdctl/v3
	go.etcd.io/etcd/etcdutl/v3
	go.etcd.io/etcd/server/v3
)
EOF
    go get "go.etcd.io/etcd/server/v3@v$version" "go.etcd.io/etcd/etcdctl/v3@v$version" \
      "go.etcd.io/etcd/etcdutl/v3@v$version"
    ;;
  kubernetes)
    staging_version="0.${version#1.}"
    upstream_gomod="$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@v$version" |
      sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    [ -s "$upstream_gomod" ] || { echo "new-module.sh: could not download the go.mod of k8s.io/kubernetes@v$version" >&2; exit 1; }
    mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/\1$#\1#p' "$upstream_gomod")
    [ "${#staging[@]}" -gt 20 ] || { echo "new-module.sh: found only ${#staging[@]} staging modules in $upstream_gomod" >&2; exit 1; }
    cat >go.mod <<EOF
// Consumer module: builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kubeadm $version
// (see lab/README.md). The replace block pins every staging module of k8s.io/kubernetes v$version to v$staging_version;
// lab/new-module.sh generated it from the released go.mod.
module handbook/lab/kubernetes-$minor

go 1.26.0

godebug default=go1.26

tool (
	k8s.io/kubernetes/cmd/kube-apiserver
	k8s.io/kubernetes/cmd/kube-controller-manager
	k8s.io/kubernetes/cmd/kube-scheduler
	k8s.io/kubernetes/cmd/kubeadm
	k8s.io/kubernetes/cmd/kubectl
)

require k8s.io/kubernetes v$version
EOF
    for module in "${staging[@]}"; do
      go mod edit -replace="$module=$module@v$staging_version"
    done
    echo "pinned ${#staging[@]} staging modules to v$staging_version"
    ;;
  *)
    echo "new-module.sh: unknown kind '$kind' (etcd or kubernetes)" >&2
    exit 1
    ;;
esac
go mod tidy
echo "wrote $dir/go.mod and go.sum; now set \"$minor\": \"$version\" under \"$kind\" in lab/versions.json"
