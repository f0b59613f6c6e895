#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c against the whole library with libFuzzer + ASan + UBSan and
# runs each for SECONDS (default 300) on a scratch corpus seeded from tests/fuzz/corpus_<name>/.
# `make test` calls it with a short time (a replay of the seeds plus a brief search);
# `make fuzz` with the long one. `run.sh build` only builds (make test does that while valgrind
# runs, so the timed searches below get whole cores).
#
# Objects are compiled as many at a time as there are cores; the targets run side by side, as
# many at a time as there are cores, so each gets a core of its own for its SECONDS.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-300}"
out=build/fuzz
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$out/obj"
S="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Isrc -D_GNU_SOURCE -pthread"
S="$S -fsanitize=fuzzer-no-link"
# Small stream batches make the JSON extractor restart often, which is where bugs would hide.
B="-DLJ_BATCH_MAX=256 -DLJ_BATCH_MIN=64 -DLJ_SLOW_TAIL=32"
libs="-lsimdjson -lsnappy -lzstd -lz -llz4 -lcurl -lexpat $(pkg-config --libs libpcre2-8) -lm -pthread"
[ -z "${LAKE_EXTRA_LIBS:-}" ] || libs="$libs $LAKE_EXTRA_LIBS"

# Compiles one library source (argument) into $out/obj unless its object is newer.
compile_one() {
    local f="$1" o
    o="$out/obj/$(echo "$f" | tr / _).o"
    [ ! "$o" -nt "$f" ] || return 0
    case "$f" in
        *.cc) clang++ -std=c++17 $S $B -c "$f" -o "$o" ;;
        # Only the MPI communicator sees mpi.h, as in the Makefile (libmpi is loaded at run time).
        src/cluster/comm_mpi.c) clang -std=c11 $S $MPI_CFLAGS -c "$f" -o "$o" ;;
        *) clang -std=c11 $S -c "$f" -o "$o" ;;
    esac
}
MPI_CFLAGS=$(pkg-config --cflags ompi-c)
export -f compile_one
export out S B MPI_CFLAGS

sources=$(
    find src -name '*.c' -not -path 'src/cli/*' | sort
    find src -name '*.cc' | sort
)
# xargs exits non-zero when any compile fails.
echo "$sources" | xargs -P "$jobs" -n 1 bash -c 'compile_one "$1"' compile_one
objs=()
for f in $sources; do objs+=("$out/obj/$(echo "$f" | tr / _).o"); done

targets=(tests/fuzz/fuzz_*.c)
for target in "${targets[@]}"; do
    name=$(basename "$target" .c)
    clang -std=c11 $S -c "$target" -o "$out/$name.o"
    clang++ $S -fsanitize=fuzzer -o "$out/$name" "$out/$name.o" "${objs[@]}" $libs
done
[ "$seconds" != build ] || exit 0

# Runs one built target for $seconds; says how it went in $out/<name>.result.
fuzz_one() {
    local name="$1" seeds="tests/fuzz/corpus_${1#fuzz_}"
    mkdir -p "$out/corpus_$name"
    if "$out/$name" -max_total_time="$seconds" -print_final_stats=0 "$out/corpus_$name" "$seeds" \
        >"$out/$name.log" 2>&1; then
        echo "fuzz: $name ok ($(grep -c . "$out/$name.log") log lines)" >"$out/$name.result"
    else
        { tail -40 "$out/$name.log"; echo "fuzz: $name FAILED"; } >"$out/$name.result"
        return 1
    fi
}

status=0
pids=()
names=()
for target in "${targets[@]}"; do
    name=$(basename "$target" .c)
    if [ "${#pids[@]}" -ge "$jobs" ]; then # a core for each: wait for the oldest
        wait "${pids[0]}" || status=1
        cat "$out/${names[0]}.result"
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
    echo "fuzz: $name for ${seconds}s"
    fuzz_one "$name" &
    pids+=($!)
    names+=("$name")
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || status=1
    cat "$out/${names[$i]}.result"
done
exit $status
