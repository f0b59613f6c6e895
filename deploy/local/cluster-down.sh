#!/usr/bin/env bash
# Removes the local cluster cluster-up.sh made, exactly what its state directory records: every
# process in its namespaces (sshd, the S3 store, Open MPI daemons, ranks), its links, its
# namespaces, then the state directory itself (keys, logs, s3rver's data, Open MPI's session
# directories). Then checks that nothing of it is left.
set -uo pipefail
PROG=cluster-down
HERE=$(cd "$(dirname "$0")" && pwd)

usage() {
    cat <<'USAGE'
Usage: cluster-down.sh [--state DIR] [--quiet]

Stops and removes the local cluster whose state is in DIR (default deploy/local/.state): its
processes, network namespaces, bridge and veth links, and DIR. Exits 1, naming what is left,
if something could not be removed. Needs root.
USAGE
}

STATE=${LAKE_LOCAL_STATE:-$HERE/.state} QUIET=0
while [ $# -gt 0 ]; do
    case "$1" in
        --help | -h) usage; exit 0 ;;
        --quiet) QUIET=1; shift ;;
        --state) [ $# -ge 2 ] || { echo "$PROG: --state needs a value" >&2; exit 2; }; STATE=$2; shift 2 ;;
        *) echo "$PROG: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ ! -e "$STATE" ]; then
    [ "$QUIET" = 1 ] || echo "$PROG: no local cluster ($STATE does not exist)"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "$PROG: needs root" >&2; exit 1; }

mapfile -t namespaces < <(cat "$STATE/namespaces" 2>/dev/null)
mapfile -t links < <(cat "$STATE/links" 2>/dev/null)

# Every process in the namespaces, killed until none is left (a process keeps its namespace
# alive after `ip netns del`; killing sshd does not end its sessions).
in_namespaces() {
    local ns
    for ns in "${namespaces[@]}"; do
        [ -e "/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null
    done
}
for _ in $(seq 1 50); do
    mapfile -t pids < <(in_namespaces)
    [ "${#pids[@]}" -eq 0 ] && break
    kill -KILL "${pids[@]}" 2>/dev/null
    sleep 0.1
done

# Links (one end of a veth pair takes the other with it), the bridge last; then namespaces.
for ((i = ${#links[@]} - 1; i >= 0; i--)); do
    ip link show "${links[$i]}" >/dev/null 2>&1 && ip link del "${links[$i]}"
done
for ns in "${namespaces[@]}"; do
    [ -e "/run/netns/$ns" ] && ip netns del "$ns"
done

# What is left, checked before the record of it goes.
left=()
mapfile -t pids < <(in_namespaces)
[ "${#pids[@]}" -eq 0 ] || left+=("processes ${pids[*]}")
for l in "${links[@]}"; do ip link show "$l" >/dev/null 2>&1 && left+=("link $l"); done
for ns in "${namespaces[@]}"; do [ -e "/run/netns/$ns" ] && left+=("namespace $ns"); done
if [ "${#left[@]}" -gt 0 ]; then
    echo "$PROG: could not remove: ${left[*]} (state kept in $STATE)" >&2
    exit 1
fi
rm -rf "$STATE"
[ -e "$STATE" ] && { echo "$PROG: could not remove $STATE" >&2; exit 1; }
[ "$QUIET" = 1 ] || echo "$PROG: removed ${#namespaces[@]} namespaces, ${#links[@]} links and $STATE"
exit 0
