#!/usr/bin/env bash
# Runs a command in a network namespace of its own, so that a second lab (the etcd pages') can run while the kubeadm
# lab runs on the host: inside, the lab's bridge, veths and 10.0.0.0/24 addresses exist only in this network
# namespace. The namespace has loopback and the lab's bridge only: no route leads off the machine, and it disappears
# when the command and its children end.
#
# The mount namespace stays the host's: node mount namespaces pinned from inside a second mount namespace sometimes
# failed on kernel 6.18 (`unshare: mount /proc/<pid>/ns/mnt on …/cp-1.mnt failed: Invalid argument`). What would
# collide in the shared mount namespace gets a name of its own instead:
# - HANDBOOK_LAB_BASE: the one-lab lock, state and lab roots (default /run/handbook-lab-own-network), so neither lab
#   waits for or reaps the other;
# - HANDBOOK_LAB_NETNS_PREFIX: the nodes' network-namespace names in /run/netns (default `own-`: own-cp-1, ...).
# A killed run is cleaned up with the same two variables: HANDBOOK_LAB_BASE=... node tests/lab/cli.ts reap
#
# Usage: bash scripts/in-own-network.sh <command> [args...]   (as root)
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "in-own-network.sh: needs root (unshare --net)" >&2; exit 1; }
export HANDBOOK_LAB_BASE="${HANDBOOK_LAB_BASE:-/run/handbook-lab-own-network}"
export HANDBOOK_LAB_NETNS_PREFIX="${HANDBOOK_LAB_NETNS_PREFIX:-own-}"
if [ "$HANDBOOK_LAB_BASE" = /run/handbook-lab ]; then
  echo "in-own-network.sh: HANDBOOK_LAB_BASE must differ from the host lab's /run/handbook-lab" >&2
  exit 1
fi
exec unshare --net -- bash -c '
  set -euo pipefail
  ip link set lo up
  exec "$@"' in-own-network "$@"
