#!/usr/bin/env bash
# Runs one lake job across the cluster from the head node: mpirun over the hostfile that
# node-setup.sh wrote, one rank per node. Installed as ROOT/bin/lake-job; deploy/bin/submit
# runs it over ssh. Each run keeps its log, summary and report in ROOT/runs/RUN/.
set -uo pipefail
PROG=lake-job

usage() {
    cat <<'USAGE'
Usage: lake-job --input URL --output URL [--np N] [-- LAKE_RUN_OPTIONS...]

Runs `lake run` as one Open MPI job over this cluster's hostfile (one rank per node, or N
ranks). The log, --summary-json and --report go to ROOT/runs/RUN/ (ROOT/runs/latest is the
newest). Exits with lake's status.
USAGE
}

die() {
    printf '%s: %s\n' "$PROG" "$*" >&2
    exit 1
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INPUT="" OUTPUT="" NP=""
while [ $# -gt 0 ]; do
    case "$1" in
        --help | -h) usage; exit 0 ;;
        --input) [ $# -ge 2 ] || die "--input needs a value"; INPUT=$2; shift 2 ;;
        --output) [ $# -ge 2 ] || die "--output needs a value"; OUTPUT=$2; shift 2 ;;
        --np) [ $# -ge 2 ] || die "--np needs a value"; NP=$2; shift 2 ;;
        --) shift; break ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
{ [ -n "$INPUT" ] && [ -n "$OUTPUT" ]; } || die "--input and --output are required"
[ -f "$ROOT/ready" ] || die "this node is not set up yet ($ROOT/ready is missing; see /var/log/lake-node-setup.log)"
[ -f "$ROOT/ssh/cluster-key" ] || die "no cluster key at $ROOT/ssh/cluster-key (deploy/bin/ssh-copy --cluster-key puts it there)"

# shellcheck source=/dev/null
. "$ROOT/cluster.conf"
read -r -a hosts <<<"$LAKE_HOSTS"
NP=${NP:-${#hosts[@]}}
[[ $NP =~ ^[1-9][0-9]*$ ]] || die "--np must be a positive number"

# The ranks' environment: every name in node.env is forwarded to the remote ranks with -x.
set -a
# shellcheck source=/dev/null
. "$ROOT/node.env"
set +a
mapfile -t names < <(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$ROOT/node.env")

run=$(date -u +%Y%m%dT%H%M%SZ)-$$
dir=$ROOT/runs/$run
mkdir -p "$dir"
ln -sfn "$run" "$ROOT/runs/latest"

# shellcheck disable=SC2054 # "self,tcp" is one argument
mpi=(mpirun -np "$NP" --hostfile "$ROOT/hostfile" --map-by node --bind-to none
    --mca plm rsh --mca plm_rsh_agent "ssh -F $ROOT/ssh/config" --mca plm_rsh_no_tree_spawn 1
    --mca pml ob1 --mca btl self,tcp --mca orte_tmpdir_base "$ROOT/tmp")
if [ -n "${LAKE_SUBNET:-}" ]; then
    mpi+=(--mca btl_tcp_if_include "$LAKE_SUBNET" --mca oob_tcp_if_include "$LAKE_SUBNET")
fi
[ "$NP" -gt "${#hosts[@]}" ] && mpi+=(--oversubscribe)
[ "$(id -u)" = 0 ] && mpi+=(--allow-run-as-root)
for n in "${names[@]}"; do mpi+=(-x "$n"); done

echo "$PROG: run $run: $NP ranks on ${#hosts[@]} nodes, $INPUT -> $OUTPUT"
"${mpi[@]}" "$ROOT/bin/lake" run --input "$INPUT" --output "$OUTPUT" \
    --summary-json "$dir/summary.json" --report "$dir/report.html" "$@" 2>&1 | tee "$dir/lake.log"
status=${PIPESTATUS[0]}
echo "$status" >"$dir/exit-status"
echo "$PROG: run $run exited $status; log, summary and report in $dir"
exit "$status"
