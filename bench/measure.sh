#!/usr/bin/env bash
# Runs one command and records what it cost: wall seconds, user and system CPU seconds and peak
# resident set size, as measured by GNU time (wait4 rusage of the child and its descendants;
# for the DuckDB pipeline that is the node process that hosts DuckDB, Node's own ~50 MB
# included).
#
# Needs bash 5 (EPOCHREALTIME).
#
# usage: bench/measure.sh TIME_FILE LOG_FILE COMMAND [ARGS...]
#   TIME_FILE gets one line: "wall=<s> user=<s> sys=<s> maxrss_kb=<KiB> exit=<code>"
#   LOG_FILE gets the command's stdout and stderr.
# Exits with the command's exit code.
set -uo pipefail
export LC_ALL=C
if [ $# -lt 3 ]; then
    echo "usage: bench/measure.sh TIME_FILE LOG_FILE COMMAND [ARGS...]" >&2
    exit 2
fi
time_file=$1 log_file=$2
shift 2
GNU_TIME=${GNU_TIME:-/usr/bin/time}
# Wall time from bash's microsecond clock: GNU time's %e has only 10 ms resolution, too coarse
# for the S data set.
t0=$EPOCHREALTIME
"$GNU_TIME" -o "$time_file.raw" -f 'user=%U sys=%S maxrss_kb=%M exit=%x' "$@" >"$log_file" 2>&1
rc=$?
t1=$EPOCHREALTIME
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
# GNU time writes "Command exited with non-zero status N" before the format line on failure.
echo "wall=$wall $(tail -n 1 "$time_file.raw")" >"$time_file"
rm -f "$time_file.raw"
exit $rc
