#!/usr/bin/env bash
# Captures real `etcdctl endpoint status -w json` and `member list -w json` output from a throw-away etcd cluster on
# 127.0.0.1 (three voting members and one learner) for the recovery-member tool's test fixtures.
# Usage: scripts/capture-endpoint-status.sh <minor, e.g. 3.6> [base port, default 41300]
# Binaries come from ~/.cache/handbook-lab/etcd-<patch>/, the patch from lab/versions.json. Only loopback is used.
set -euo pipefail
minor=$1
base_port=${2:-41300}
repo=$(cd "$(dirname "$0")/.." && pwd)
patch=$(node -e "process.stdout.write(JSON.parse(require('fs').readFileSync('$repo/lab/versions.json','utf8')).etcd['$minor'])")
bin="$HOME/.cache/handbook-lab/etcd-$patch"
out="$repo/tests/fixtures/endpoint-status/$minor"
[ -x "$bin/etcd" ] || { echo "no etcd binary in $bin" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
client() { echo "http://127.0.0.1:$((base_port + 2 * $1))"; }
peer() { echo "http://127.0.0.1:$((base_port + 2 * $1 + 1))"; }
cluster="m1=$(peer 1),m2=$(peer 2),m3=$(peer 3)"
start() { # name index state cluster
  "$bin/etcd" --name "$1" --data-dir "$work/$1" --listen-client-urls "$(client "$2")" --advertise-client-urls "$(client "$2")" \
    --listen-peer-urls "$(peer "$2")" --initial-advertise-peer-urls "$(peer "$2")" --initial-cluster "$4" \
    --initial-cluster-state "$3" --initial-cluster-token capture >"$work/$1.log" 2>&1 &
  pids+=($!)
}
for i in 1 2 3; do start "m$i" "$i" new "$cluster"; done
ctl() { "$bin/etcdctl" --endpoints "$1" "${@:2}"; }
all="$(client 1),$(client 2),$(client 3)"
for _ in $(seq 50); do ctl "$all" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
for k in $(seq 20); do ctl "$(client 1)" put "k$k" "v$k" >/dev/null; done
# etcd refuses a member add until the leader has been connected to a quorum for a few seconds ("unhealthy cluster").
for _ in $(seq 30); do ctl "$(client 1)" member add m4 --learner --peer-urls "$(peer 4)" >"$work/add.txt" 2>/dev/null && break; sleep 1; done
start m4 4 existing "$cluster,m4=$(peer 4)"
for _ in $(seq 50); do ctl "$(client 4)" endpoint status >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1
mkdir -p "$out"
# One member's status first; then more writes, so the learner's status, taken after them, has a higher raft index.
ctl "$(client 2)" endpoint status -w json >"$out/member-m2.json"
for k in $(seq 21 40); do ctl "$(client 1)" put "k$k" "v$k" >/dev/null; done
sleep 1
ctl "$(client 4)" endpoint status -w json >"$out/learner-m4.json"
ctl "$all,$(client 4)" endpoint status -w json >"$out/all-four.json"
ctl "$all" member list -w json >"$out/member-list.json"
"$bin/etcdctl" version >"$work/version.txt"
sed -n 1p "$work/version.txt" >"$out/etcdctl-version.txt"
echo "captured into $out"
