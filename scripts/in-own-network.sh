#!/usr/bin/env bash
# Runs a command in a network and mount namespace of its own, so that a second lab (the etcd pages') can run while
# the kubeadm lab runs on the host: inside, the lab's bridge, veths, node namespaces and 10.0.0.0/24 addresses exist
# only in this network namespace, and /run/netns and /run/handbook-lab (node namespace files, the one-lab lock, lab
# roots) are private tmpfs mounts, so neither lab sees, waits for or reaps the other. The namespace has loopback and
# the lab's bridge only: no route leads off the machine. It disappears when the command and its children end.
#
# Usage: bash scripts/in-own-network.sh <command> [args...]   (as root)
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "in-own-network.sh: needs root (unshare --net --mount)" >&2; exit 1; }
exec unshare --net --mount --propagation private -- bash -c '
  set -euo pipefail
  mkdir -p /run/netns /run/handbook-lab
  mount -t tmpfs -o mode=0755 handbook-netns /run/netns
  mount -t tmpfs -o mode=0755 handbook-lab /run/handbook-lab
  ip link set lo up
  exec "$@"' in-own-network "$@"
