#!/usr/bin/env bash
# Makes sure the programs the runbook verification and browser tests drive are installed: haproxy (2.6),
# chromium, pdftotext (poppler-utils, for reading the print edition's PDF), and jsonnet (0.18, to evaluate the
# alert index's runbook_url snippets). etcd and Kubernetes are not Debian packages here: the lab builds the
# releases it runs (npm run lab:build). As root on Debian it installs what is missing; anywhere else it names the
# missing packages and fails.
set -euo pipefail

declare -A package_for=(
  [haproxy]=haproxy
  [keepalived]=keepalived
  [chromium]=chromium
  [openssl]=openssl
  [pdftotext]=poppler-utils
  [jsonnet]=jsonnet
  # The lab (tests/lab): bridge, veths and network namespaces; persistent mount and UTS namespaces.
  [ip]=iproute2
  [nsenter]=util-linux
  [unshare]=util-linux
  [findmnt]=util-linux
  [mountpoint]=util-linux
  # The failover lab (tests/lab/failover-lab.ts): its processes die with the test (--pdeathsig).
  [setpriv]=util-linux
)

missing=()
for program in "${!package_for[@]}"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("${package_for[$program]}")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

echo "Missing programs for the test suite. Install these Debian packages: ${missing[*]}" >&2
echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
exit 1
