#!/usr/bin/env bash
# make bench: lake against an equivalent DuckDB pipeline on `lake gen` data, never part of
# make test. Prints a Markdown table (bench/report.mjs) and saves it as bench/RESULTS.md.
#
# Data sets (generated once, cached under bench/cache/data/, regenerated when src/gen changes):
#   S  = 71 songs, 8,000 events            (5 runs per tool)
#   M  = 15,000 songs, 8,000 events        (9 runs: thousands of tiny song files; DuckDB's M
#        runs take one of two modes, about 2.1 s or 2.8 s, so 5 runs gave a median that moved
#        with which mode three of them took)
#   L  = 100,000 songs, 3,000,000 events   (5 runs: ~1.3 GB of event logs)
#   L2 = 100,000 songs, 6,000,000 events   (3 runs: 2 x L events, for the linearity check,
#        which compares the L and 2 x L medians within 15 %)
#   MPI = L through Open MPI on this machine's cores: `mpirun -np 1 lake --threads 2` against
#        `-np 2 --threads 1` (the same two cores as two ranks: the cost of the MPI path) and
#        `-np 4 --oversubscribe --threads 1` (the shuffle volume of more ranks), alternating, 5
#        runs each (bench/mpi_report.mjs writes its section of RESULTS.md, kept from the last MPI
#        run when MPI is not in BENCH_SIZES)
#   S3 = M uploaded to s3rver on 127.0.0.1 behind a proxy that adds 20 ms to every request: lake
#        reading it next to `aws s3 cp --recursive` and `rclone copy` (bench/s3_bench.mjs, 3 runs;
#        installs the Debian packages awscli and rclone when missing). Its section of RESULTS.md
#        is kept from the last S3 run when S3 is not in BENCH_SIZES.
#   COMPACT = M on the same delayed test S3: `lake distcp --groupBy` merging it next to `rclone
#        copy` of the same objects, then `lake run` on the compacted copy against the raw objects,
#        and `lake run --compact` doing both (bench/compact_bench.mjs, 3 runs; its section is kept
#        likewise).
# Runs alternate lake, DuckDB, lake, DuckDB ... on local files with a warm page cache. Before
# every run the kernel's dentry and inode caches are dropped (as root; the page cache is kept)
# and the input is read again: the outputs of earlier runs (160,000 directories and files per
# run at L) otherwise fill those caches, and file creation got slower run after run (the same
# lake run spent 4 to 9 s of system time writing the L tables). Each run thus starts from the
# same kernel state: only the input's inodes cached. Without root the caches are left as they
# are (the report says which).
#
# Environment:
#   BENCH_SIZES    sizes to run (default "S M L L2 MPI S3 COMPACT")
#   BENCH_RUNS     runs per tool for every size (default 5 for S and L, 9 for M, 3 for L2)
#   BENCH_THREADS  threads for both tools (default: nproc)
#   BENCH_O        build directory of lake (default build/release; built with make O=...)
#   BENCH_JSON_MB  MB of event logs the JSON micro benchmark loads (default 512; 0 skips it)
#   BENCH_SETTLE   seconds to leave between deleting old outputs and the first run (default 360;
#                  see "Old outputs" below)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

SIZES=${BENCH_SIZES:-"S M L L2 MPI S3 COMPACT"}
# The S3 and compaction cases have their own drivers (bench/s3_bench.mjs, bench/compact_bench.mjs),
# run after the local sizes; the MPI case runs L under mpirun after them.
RUN_S3=0 RUN_MPI=0 RUN_COMPACT=0
case " $SIZES " in *" S3 "*) RUN_S3=1 ;; esac
case " $SIZES " in *" MPI "*) RUN_MPI=1 ;; esac
case " $SIZES " in *" COMPACT "*) RUN_COMPACT=1 ;; esac
SIZES=$(echo " $SIZES " | sed 's/ S3 / /g; s/ MPI / /g; s/ COMPACT / /g; s/^ *//; s/ *$//')
THREADS=${BENCH_THREADS:-$(nproc)}
O=${BENCH_O:-build/release}
JSON_MB=${BENCH_JSON_MB:-512}
CACHE=bench/cache
LAKE=$O/lake
JSON_SPEED=$O/json-speed

die() { echo "bench: $*" >&2; exit 1; }

# ---- dependencies: node, GNU time, DuckDB for node (tests/node_modules) ------------------------
if [ ! -d tests/node_modules/@duckdb/node-api ] || ! command -v node >/dev/null; then
    scripts/deps.sh
fi
if ! /usr/bin/time --version 2>&1 | grep -q GNU; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time
    else
        die "GNU time is missing: sudo apt-get install time"
    fi
fi
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "bash 5 is needed (EPOCHREALTIME)"

# ---- build lake (release flags) and the JSON micro benchmark ----------------------------------
make --no-print-directory O="$O" "$LAKE" "$O/liblake.a" >/dev/null
${CC:-cc} -std=c11 -O2 -Iinclude -Isrc -D_GNU_SOURCE -pthread -o "$JSON_SPEED" bench/json_speed.c \
    "$O/liblake.a" -lsimdjson -lstdc++ -lm

# ---- data, cached ------------------------------------------------------------------------------
gen_hash=$(cat src/gen/* | sha1sum | cut -c1-12)
size_args() {
    case $1 in
        S) echo "--songs 71 --events 8000" ;;
        M) echo "--songs 15000 --events 8000" ;;
        L) echo "--songs 100000 --events 3000000" ;;
        L2) echo "--songs 100000 --events 6000000" ;;
        *) die "unknown size $1 (S, M, L or L2)" ;;
    esac
}
default_runs() {
    case $1 in S | L) echo 5 ;; M) echo 9 ;; L2) echo 3 ;; esac
}

ensure_data() {
    local size=$1 dir=$CACHE/data/$1 stamp
    stamp="lake gen $(size_args "$size") gen=$gen_hash"
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
        return
    fi
    echo "bench: generating $size ($(size_args "$size"))" >&2
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$CACHE/data"
    # shellcheck disable=SC2046
    "$LAKE" gen "$dir.tmp" $(size_args "$size") >/dev/null
    # Uncompressed bytes of the event logs, for the JSON throughput figures.
    local bytes=0 f
    while IFS= read -r -d '' f; do
        case $f in
            *.gz) n=$(zcat "$f" | wc -c) ;;
            *.zst) n=$(zstd -dc "$f" | wc -c) ;;
            *) n=$(stat -c %s "$f") ;;
        esac
        bytes=$((bytes + n))
    done < <(find "$dir.tmp/log_data" -type f -print0)
    echo "$bytes" >"$dir.tmp/.log_bytes"
    echo "$stamp" >"$dir.tmp/.stamp"
    mv "$dir.tmp" "$dir"
}

# ---- runs --------------------------------------------------------------------------------------
run_one() { # tool size i
    # Every run writes to a fresh directory and nothing is deleted while runs are measured (see
    # "Old outputs" below).
    local tool=$1 size=$2 i=$3 in=$CACHE/data/$2 out=$CACHE/out/$2/$1-$3 res=$CACHE/results/$2
    mkdir -p "$(dirname "$out")"
    sync
    local cmd
    if [ "$tool" = lake ]; then
        cmd=("$LAKE" run --input "$in" --output "$out" --threads "$THREADS")
    else
        cmd=(node bench/duckdb_pipeline.mjs "$in" "$out" --threads "$THREADS")
    fi
    echo "${cmd[*]}" >"$res/$tool-$i.cmd"
    reset_caches "$in"
    if ! bench/measure.sh "$res/$tool-$i.time" "$res/$tool-$i.log" "${cmd[@]}"; then
        cat "$res/$tool-$i.log" >&2
        die "$tool failed on $size (run $i)"
    fi
    echo "bench: $size $tool run $i: $(cat "$res/$tool-$i.time")" >&2
}

# Drops dentries and inodes (not the page cache), then reads the input again so that its
# directories and files are cached for both tools alike.
reset_caches() {
    sync
    [ "$(id -u)" = 0 ] && echo 2 >/proc/sys/vm/drop_caches 2>/dev/null || true
    find "$1" -type f -exec cat {} + >/dev/null
}

host_info() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
    echo "cpu=$cpu"
    echo "cores=$(nproc)"
    echo "mem_gib=$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "lake=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo +dirty)"
    echo "duckdb=$(node -e "console.log(require('./tests/node_modules/@duckdb/node-api/package.json').version)")"
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "threads=$THREADS"
    if [ "$(id -u)" = 0 ]; then echo "caches=dentries and inodes dropped before each run"; else echo "caches=not dropped (not root)"; fi
    echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
}

for size in $SIZES; do
    ensure_data "$size"
done
[ "$RUN_MPI" = 0 ] || ensure_data L
# Old outputs. On ext4 without a journal (this machine's root file system) the inode allocator
# skips every free inode deleted less than 60 s ago, or 360 s ago when its inode-table block is
# dirty, and creating a file next to it dirties the block (RECENTCY_MIN and RECENTCY_DIRTY,
# recently_deleted() in fs/ext4/ialloc.c). Each skipped inode costs a buffer-cache lookup, so
# creating files after a mass deletion gets quadratic: measured here, lake's M write stage took
# 0.28, 0.53, then 0.78 s on three runs each started right after deleting the previous run's
# 12,000 files, and 0.20 s when nothing had been deleted for 6 minutes (perf: 30 to 50 % of the
# samples in find_get_block_common under recently_deleted, in mkdir and open alike). The bench
# therefore deletes nothing while it measures: the outputs of the previous invocation are moved
# aside (a rename) and deleted after the last run, with a time stamp, and an invocation started
# within BENCH_SETTLE seconds (default 360) of such a deletion waits out the rest first.
STAMP=$CACHE/.outputs_deleted_at
if [ -e "$CACHE/out" ]; then
    mv "$CACHE/out" "$CACHE/trash.$$"
fi
if [ -f "$STAMP" ]; then
    wait_s=$(($(cat "$STAMP") + ${BENCH_SETTLE:-360} - $(date +%s)))
    if [ "$wait_s" -gt 0 ]; then
        echo "bench: outputs were deleted $((${BENCH_SETTLE:-360} - wait_s)) s ago; waiting" \
            "$wait_s s so that file creation is not slowed by recently deleted inodes" >&2
        sleep "$wait_s"
    fi
fi

for size in $SIZES; do
    runs=${BENCH_RUNS:-$(default_runs "$size")}
    res=$CACHE/results/$size
    rm -rf "$res"
    mkdir -p "$res"
    host_info >"$res/host"
    echo "runs=$runs" >>"$res/host"
    find "$CACHE/data/$size" -type f -exec cat {} + >/dev/null # warm the page cache
    for i in $(seq 1 "$runs"); do
        run_one lake "$size" "$i"
        run_one duckdb "$size" "$i"
    done
    echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$res/host"
    # The last outputs of both tools, row by row (not timed).
    if [ "$runs" -gt 0 ]; then
        node bench/compare.mjs "$CACHE/out/$size/lake-$runs" "$CACHE/out/$size/duckdb-$runs" \
            >"$res/compare.txt"
    fi
done

# The MPI case: L under mpirun, the three shapes alternating (see the top of this file).
MPI_SHAPES="np1-t2 np2-t1 np4-t1"
run_mpi_one() { # shape i
    local shape=$1 i=$2 in=$CACHE/data/L out=$CACHE/out/MPI/$1-$2 res=$CACHE/results/MPI
    local np=${shape#np} threads=${shape#*-t}
    np=${np%%-*}
    mkdir -p "$(dirname "$out")"
    local cmd=(mpirun --oversubscribe --bind-to none -np "$np" "$LAKE" run --input "$in"
        --output "$out" --threads "$threads")
    echo "${cmd[*]}" >"$res/$shape-$i.cmd"
    reset_caches "$in"
    if ! OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        OMPI_MCA_btl_vader_single_copy_mechanism=none \
        bench/measure.sh "$res/$shape-$i.time" "$res/$shape-$i.log" "${cmd[@]}"; then
        cat "$res/$shape-$i.log" >&2
        die "mpirun $shape failed (run $i)"
    fi
    echo "bench: MPI $shape run $i: $(cat "$res/$shape-$i.time")" >&2
}
if [ "$RUN_MPI" = 1 ]; then
    command -v mpirun >/dev/null || scripts/deps.sh
    res=$CACHE/results/MPI
    rm -rf "$res"
    mkdir -p "$res"
    host_info >"$res/host"
    echo "runs=${BENCH_RUNS:-5}" >>"$res/host"
    find "$CACHE/data/L" -type f -exec cat {} + >/dev/null
    for i in $(seq 1 "${BENCH_RUNS:-5}"); do
        for shape in $MPI_SHAPES; do
            run_mpi_one "$shape" "$i"
        done
    done
    echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$res/host"
fi

# JSON extraction throughput on the largest event logs at hand.
if [ "$JSON_MB" != 0 ]; then
    for size in L2 L M S; do
        if [ -d "$CACHE/data/$size/log_data" ]; then
            "$JSON_SPEED" "$CACHE/data/$size/log_data" "$THREADS" "$JSON_MB" \
                >"$CACHE/results/json_speed.txt" 2>/dev/null
            echo "source=$size" >>"$CACHE/results/json_speed.txt"
            break
        fi
    done
fi

# The local sizes' report replaces RESULTS.md; a run of only the S3 or MPI case keeps it and
# replaces its own section. The hand-written "## Notes" are kept and put back last.
notes="$CACHE/results/notes.md"
mkdir -p "$CACHE/results"
node bench/results_section.mjs get bench/RESULTS.md '## Notes' >"$notes"
if [ -n "$SIZES" ]; then
    node bench/report.mjs "$CACHE" | tee bench/RESULTS.md
fi

# The S3 case appends its section to RESULTS.md (or re-appends the last one measured).
if [ "$RUN_S3" = 1 ]; then
    node bench/s3_bench.mjs --lake "$LAKE" --cache "$CACHE" --runs "${BENCH_RUNS:-3}"
else
    node bench/s3_bench.mjs --cache "$CACHE" --report-only
fi

# The compaction case likewise (lake distcp against rclone copy on the test S3).
if [ "$RUN_COMPACT" = 1 ]; then
    node bench/compact_bench.mjs --lake "$LAKE" --cache "$CACHE" --runs "${BENCH_RUNS:-3}"
else
    node bench/compact_bench.mjs --cache "$CACHE" --report-only
fi

node bench/mpi_report.mjs "$CACHE" "$([ "$RUN_MPI" = 1 ] && echo measured || echo report-only)"
node bench/results_section.mjs put bench/RESULTS.md '## Notes' "$notes"

# Keep only the last run's outputs of each size (the report measured them; the next invocation
# moves them aside and deletes them after its runs), and delete what was moved aside.
echo "bench: deleting old outputs" >&2
for size in $SIZES; do
    runs=${BENCH_RUNS:-$(default_runs "$size")}
    for i in $(seq 1 $((runs - 1))); do
        rm -rf "$CACHE/out/$size/lake-$i" "$CACHE/out/$size/duckdb-$i"
    done
done
rm -rf "$CACHE"/out/MPI "$CACHE"/trash.*
date +%s >"$STAMP"
