#!/usr/bin/env bash
# One worker against two, side by side in one run: `socketkit bench app` against an app server with one
# listener, with two listeners in one process (--workers 2), and as two processes sharing the port
# (--reuse-port), round after round (A B C, A B C, ...), for each engine; prints the median of each
# configuration's ratio to one worker in the same round, and its server CPU per request.
#
#   benchmarks/workers.sh app|app-keepalive [ROUNDS]
#
# CPU per request: bench's --server-pid samples the first (or only) server process over the measured part;
# the second process of the two-process configuration is sampled here from /proc/PID/stat around the bench
# run. Bench runs with --warmup 0 so that both windows cover the same load (the servers stay up across rounds,
# so only the first round runs them cold). SOCKETKIT names the executable (default: the Release build);
# DURATION (default 4s) sets each run's length; ENGINES (default "select") the engines.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: benchmarks/workers.sh app|app-keepalive [ROUNDS]}
rounds=${2:-5}
duration=${DURATION:-4s}
read -r -a engines <<< "${ENGINES:-select}"
source benchmarks/lib.sh

case $workload in
  app) load=(-c 100) ;;
  app-keepalive) load=(-c 100 --keepalive 100000 --pipeline 16) ;;
  *) echo "unknown workload '$workload'" >&2; exit 2 ;;
esac

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# Configurations: name, port, first pid, second pid (or empty).
names=() ports=() pidA=() pidB=()
port=$((22100 + RANDOM % 500))
for engine in "${engines[@]}"; do
  "$sk" app-server 127.0.0.1 $port --engine "$engine" -q &
  pids+=($!); names+=("$engine, 1 worker"); ports+=($port); pidA+=($!); pidB+=(""); port=$((port + 1))
  "$sk" app-server 127.0.0.1 $port --engine "$engine" -q --workers 2 &
  pids+=($!); names+=("$engine, 2 listeners, one process (--workers 2)"); ports+=($port); pidA+=($!); pidB+=(""); port=$((port + 1))
  "$sk" app-server 127.0.0.1 $port --engine "$engine" -q --reuse-port &
  first=$!
  "$sk" app-server 127.0.0.1 $port --engine "$engine" -q --reuse-port &
  pids+=($first $!); names+=("$engine, 2 processes (--reuse-port)"); ports+=($port); pidA+=($first); pidB+=($!); port=$((port + 1))
done
wait_listening "${ports[@]}"

for r in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    b=${pidB[$i]}
    [[ -n $b ]] && before=$(cpu_ticks "$b")
    "$sk" bench app 127.0.0.1 "${ports[$i]}" "${load[@]}" -d "$duration" --warmup 0 \
      --server-pid "${pidA[$i]}" --json > "$work/$i.$r.json" || true
    extra=0
    [[ -n $b ]] && extra=$(( $(cpu_ticks "$b") - before ))
    echo "$extra" > "$work/$i.$r.extra"
  done
  echo "round $r of $rounds done" >&2
done

python3 - "$work" "$rounds" "$hz" "${#engines[@]}" "${names[@]}" <<'PY'
import json, statistics, sys
work, rounds, hz, nengines, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
def run(i, r):
    j = json.load(open(f"{work}/{i}.{r}.json"))
    extra_s = int(open(f"{work}/{i}.{r}.extra").read()) / hz
    done = j["completed"] if "completed" in j else j["requests"]
    cpu_us = j["server_cpu_us_per_request"] + (extra_s * 1e6 / done if done else 0)
    return j["per_second"], cpu_us, sum(j["errors"].values())
print(f"{'configuration':<50} {'req/s (median)':>15} {'ratio (median)':>15} {'ratios by round':<40} {'CPU us/req':>10} {'errors':>6}")
per = len(names) // nengines
for e in range(nengines):
    base = [run(e * per, r)[0] for r in range(1, rounds + 1)]
    for k in range(per):
        i = e * per + k
        runs = [run(i, r) for r in range(1, rounds + 1)]
        ratios = [x[0] / b for x, b in zip(runs, base)]
        print(f"{names[i]:<50} {statistics.median(x[0] for x in runs):>15,.0f} {statistics.median(ratios):>15.2f} "
              f"{' '.join(f'{x:.2f}' for x in ratios):<40} {statistics.median(x[1] for x in runs):>10.1f} {sum(x[2] for x in runs):>6}")
PY
