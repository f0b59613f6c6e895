#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c against the whole library with libFuzzer + ASan + UBSan and
# runs each for SECONDS (default 300) on a scratch corpus seeded from tests/fuzz/corpus_<name>/.
# `make test` calls it with a short time (a replay of the seeds plus a brief search);
# `make fuzz` with the long one.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-300}"
out=build/fuzz
mkdir -p "$out/obj"
S="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Isrc -D_GNU_SOURCE -pthread"
S="$S -fsanitize=fuzzer-no-link"
# Small stream batches make the JSON extractor restart often, which is where bugs would hide.
B="-DLJ_BATCH_MAX=256 -DLJ_BATCH_MIN=64 -DLJ_SLOW_TAIL=32"
objs=()
for f in $(find src -name '*.c' -not -path 'src/cli/*' | sort); do
    o="$out/obj/$(echo "$f" | tr / _).o"
    [ "$o" -nt "$f" ] || clang -std=c11 $S -c "$f" -o "$o"
    objs+=("$o")
done
for f in $(find src -name '*.cc' | sort); do
    o="$out/obj/$(echo "$f" | tr / _).o"
    [ "$o" -nt "$f" ] || clang++ -std=c++17 $S $B -c "$f" -o "$o"
    objs+=("$o")
done
libs="-lsimdjson -lsnappy -lzstd -lz -llz4 -lcurl -lexpat -lm -pthread"
[ -z "${LAKE_EXTRA_LIBS:-}" ] || libs="$libs $LAKE_EXTRA_LIBS"
status=0
for target in tests/fuzz/fuzz_*.c; do
    name=$(basename "$target" .c)
    seeds="tests/fuzz/corpus_${name#fuzz_}"
    clang -std=c11 $S -c "$target" -o "$out/$name.o"
    clang++ $S -fsanitize=fuzzer -o "$out/$name" "$out/$name.o" "${objs[@]}" $libs
    mkdir -p "$out/corpus_$name"
    echo "fuzz: $name for ${seconds}s"
    if "$out/$name" -max_total_time="$seconds" -print_final_stats=0 "$out/corpus_$name" "$seeds" \
        >"$out/$name.log" 2>&1; then
        echo "fuzz: $name ok ($(grep -c . "$out/$name.log") log lines)"
    else
        tail -40 "$out/$name.log"
        echo "fuzz: $name FAILED"
        status=1
    fi
done
exit $status
