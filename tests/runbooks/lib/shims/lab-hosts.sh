# Sourced by the lab's ssh and scp shims. Resolves a host as the runbooks write it (`root@cp-2`, `10.0.0.12`,
# `etcd-backup@backup.example.internal`) to where that machine's files are seen from inside a lab node. The
# scenario runner sets
#   HANDBOOK_LAB_HOSTS="cp-2=<mount namespace inode>:<node root> 10.0.0.12=… …"
#   HANDBOOK_LAB_BACKUP_HOSTS="backup.example.internal=<folder>"
# A node's own paths (/etc/kubernetes, /var/lib, /var/backups, /tmp …) live under its root on this machine, which
# every node can see; a host not in the lists fails as ssh would, never silently.
lab_host_name() { local host=${1#*@}; printf '%s' "${host%%:*}"; }
lab_lookup() {
  local name=$1 list=$2 entry
  for entry in $list; do
    if [ "${entry%%=*}" = "$name" ]; then printf '%s' "${entry#*=}"; return 0; fi
  done
  return 1
}
# The local path through which [user@]host:path is reached from here.
lab_remote_path() {
  local spec=$1 name path node dir
  name=$(lab_host_name "$spec")
  path=${spec#*:}
  if node=$(lab_lookup "$name" "${HANDBOOK_LAB_HOSTS:-}"); then printf '%s%s' "${node#*:}" "$path"; return 0; fi
  if dir=$(lab_lookup "$name" "${HANDBOOK_LAB_BACKUP_HOSTS:-}"); then printf '%s%s' "$dir" "$path"; return 0; fi
  echo "ssh: Could not resolve hostname $name: Name or service not known (not a lab host)" >&2
  return 255
}
# A process running inside the node whose mount namespace has this inode (its kubelet, say); none when the
# node is powered off.
lab_node_pid() {
  local inode=$1 link pid
  for link in /proc/[0-9]*/ns/mnt; do
    if [ "$(readlink "$link" 2>/dev/null)" = "mnt:[$inode]" ]; then
      pid=${link#/proc/}; printf '%s' "${pid%%/*}"; return 0
    fi
  done
  return 1
}
