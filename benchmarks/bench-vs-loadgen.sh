#!/usr/bin/env bash
# How much of a fast server `socketkit bench` can measure: the same echo load (100 connections, 64 B) from
# `socketkit bench echo` and from the C load generator (loadgen, ../shared/bench), against the C ceiling server,
# alternating round by round; prints each one's median rate and client CPU per message, and bench's ratio to loadgen.
#
#   benchmarks/bench-vs-loadgen.sh [ROUNDS]
#
# BENCH names the folder with loadgen.c and limit-server.c (default ../shared/bench); SOCKETKIT the socketkit
# executable (default: the Release build); DURATION (5) and WARMUP (1) each run's seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
duration=${DURATION:-5}
warmup=${WARMUP:-1}
source benchmarks/lib.sh
build_c_tools
port=$((24000 + RANDOM % 1000))
"$work/limit-server" echo -p $port -l 3600 >/dev/null 2>&1 &
pids+=($!)
wait_listening $port

for r in $(seq "$rounds"); do
  "$work/loadgen" echo -p $port -c 100 -s 64 -d "$duration" -w "$warmup" > "$work/loadgen.$r.txt" 2>&1
  "$sk" bench echo 127.0.0.1 $port -c 100 --size 64 -d "${duration}s" --warmup "${warmup}s" --json > "$work/bench.$r.json"
done

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
lg, bn = [], []
for r in range(1, rounds + 1):
    line = [l for l in open(f"{work}/loadgen.{r}.txt") if l.startswith("RESULT")][-1]
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    rate = float(f["rate"])
    lg.append((rate, float(f["lg_cpu"]) / 100 / rate * 1e6))
    b = json.load(open(f"{work}/bench.{r}.json"))
    bn.append((b["per_second"], b["client_cpu_us_per_request"]))
print(f"echo 64 B, 100 connections, against limit-server; {rounds} rounds, medians")
print(f"{'load generator':<22} {'msg/s':>10} {'client us/msg':>14}")
for name, runs in (("loadgen (C)", lg), ("socketkit bench echo", bn)):
    print(f"{name:<22} {statistics.median(r[0] for r in runs):>10,.0f} {statistics.median(r[1] for r in runs):>14.2f}")
print(f"bench / loadgen: {statistics.median(bn[i][0] / lg[i][0] for i in range(rounds)):.2f}x the rate (median of the rounds' ratios)")
PY
