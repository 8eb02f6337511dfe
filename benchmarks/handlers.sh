#!/usr/bin/env bash
# Measures the handler models of docs/LIBRARY.md with the independent C load generator (loadgen, ../shared/bench).
#
#   benchmarks/handlers.sh await [ROUNDS]
#       An action that awaits 10 ms (HandlerBench await-server: the tutorial's search behind Task.Delay), default engine,
#       under `loadgen app -c 200 -k 1000 -K` (200 keep-alive clients, without -x: the answers are the search's). The
#       ideal is 200 / 10 ms = 20,000 requests/s; prints each round's rate, its ratio to the ideal, and the errors.
#   benchmarks/handlers.sh broadcast [ROUNDS]
#       One 64-byte line broadcast to 10,000 connected clients (HandlerBench broadcast-server, and broadcast-clients in a
#       process of its own): the time from the request until every client has the whole line, each round.
#
# BENCH names the folder with loadgen.c (default ../shared/bench); DURATION (5) and WARMUP (1) are each loadgen run's
# seconds. Build first: dotnet build -c Release benchmarks/HandlerBench. Nothing else should run on the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: benchmarks/handlers.sh await|broadcast [ROUNDS]}
rounds=${2:-3}
source benchmarks/lib.sh
bench=benchmarks/HandlerBench/bin/Release/net10.0/HandlerBench
port=$((24000 + RANDOM % 2000))
ulimit -n "$(ulimit -Hn)"
case $workload in
  await)
    build_c_tools
    "$bench" await-server $port 10 > "$work/server.log" 2>&1 &
    pids+=($!)
    wait_listening $port
    for r in $(seq "$rounds"); do
      "$work/loadgen" app -p $port -c 200 -k 1000 -K -d "${DURATION:-5}" -w "${WARMUP:-1}" -P "${pids[0]}" > "$work/$r.txt" 2>&1 || true
      line=$(grep '^RESULT' "$work/$r.txt" || { cat "$work/$r.txt" >&2; exit 1; })
      python3 - "$r" "$line" <<'PY'
import sys
r, line = sys.argv[1], sys.argv[2]
f = dict(kv.split("=", 1) for kv in line.split()[1:])
rate = float(f["rate"])
print(f"round {r}: {rate:,.0f} requests/s = {rate / 20000:.2f}x the ideal 20,000; p50 {float(f['p50_us']) / 1000:.1f} ms, p99 {float(f['p99_us']) / 1000:.1f} ms; server CPU {f['srv_cpu']}%; errors {f.get('errors', '0')}")
PY
    done
    ;;
  broadcast)
    "$bench" broadcast-server $port > "$work/server.log" 2>&1 &
    pids+=($!)
    wait_listening $port
    "$bench" broadcast-clients $port 10000 "$rounds"
    ;;
  *) echo "unknown workload '$workload'" >&2; exit 2 ;;
esac
