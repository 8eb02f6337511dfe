#!/usr/bin/env bash
# Runs the tests that FILTER selects N times in a row (no build) and prints each run's result and time, then the
# pass count and min/median/max time. Stops at the first failure when STOP_ON_FAILURE=1. Each run is bounded by
# RUN_TIMEOUT seconds (default 600). A failed run's output is kept in OUT_DIR (default a temporary folder), every
# run's when KEEP_LOGS=1.
#   scripts/repeat-test.sh 'FullyQualifiedName~OnALossyNarrowLink' 50
set -u
if [ $# -ne 2 ] || ! [[ $2 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 FILTER N   (runs 'dotnet test --filter FILTER' N times, Release, no build)" >&2
    exit 2
fi
filter=$1
runs=$2
cd "$(dirname "$0")/.."
out_dir=${OUT_DIR:-$(mktemp -d -t repeat-test.XXXXXX)}
mkdir -p "$out_dir"
timeout=${RUN_TIMEOUT:-600}
passed=0
streak=0
best_streak=0
times=()
for ((i = 1; i <= runs; i++)); do
    log="$out_dir/run-$i.log"
    start=$(date +%s.%N)
    timeout --signal=TERM --kill-after=30 "$timeout" \
        dotnet test tests/SocketKit.Tests -c Release --no-build --filter "$filter" \
        --logger "console;verbosity=detailed" >"$log" 2>&1
    code=$?
    elapsed=$(echo "$(date +%s.%N) - $start" | bc)
    times+=("$elapsed")
    # A filter that selects nothing must not count as a pass.
    if [ $code -eq 0 ] && grep -qE 'Passed!|Total tests: [1-9]' "$log" && ! grep -q 'No test matches' "$log"; then
        passed=$((passed + 1))
        streak=$((streak + 1))
        result=pass
        [ "${KEEP_LOGS:-0}" = 1 ] || rm -f "$log"
    else
        streak=0
        result="FAIL (exit $code, output in $log)"
    fi
    [ $streak -gt $best_streak ] && best_streak=$streak
    printf 'run %d/%d: %s in %.1f s\n' "$i" "$runs" "$result" "$elapsed"
    if [ "$result" != pass ] && [ "${STOP_ON_FAILURE:-0}" = 1 ]; then
        runs=$i
        break
    fi
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
count=${#times[@]}
min=$(echo "$sorted" | head -1)
max=$(echo "$sorted" | tail -1)
median=$(echo "$sorted" | awk -v n="$count" '{a[NR]=$1} END {print (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2}')
printf '%d/%d passed (longest run of passes: %d); time per run (dotnet test included) min %.1f s, median %.1f s, max %.1f s\n' \
    "$passed" "$count" "$best_streak" "$min" "$median" "$max"
[ "$passed" -eq "$count" ]
