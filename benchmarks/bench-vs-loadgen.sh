#!/usr/bin/env bash
# How much of a fast server `socketkit bench` can measure: the same load from `socketkit bench` and from the C load
# generator (loadgen, ../shared/bench), against the same server, alternating round by round; prints each one's
# median rate and client CPU per request, and bench's ratio to loadgen, for each load asked for:
#   echo            echo 64 B, 100 connections          (limit-server echo, the C ceiling)
#   app             app one-shot, 100 connections       (limit-server app: one request per connection)
#   app-keepalive   app keep-alive, 100 connections, 1,000 requests each (socketkit app-server: limit-server -k keeps
#                   connections open but answers without "keep-alive": true, which bench, keeping the protocol's
#                   rules, takes for the server's close)
#
#   benchmarks/bench-vs-loadgen.sh [ROUNDS] [LOAD...]      # default: 3 rounds of echo app app-keepalive
#
# BENCH names the folder with loadgen.c and limit-server.c (default ../shared/bench); SOCKETKIT the socketkit
# executable (default: the Release build); DURATION (5) and WARMUP (1) each run's seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
loads=("$@")
[[ ${#loads[@]} -gt 0 ]] || loads=(echo app app-keepalive)
duration=${DURATION:-5}
warmup=${WARMUP:-1}
source benchmarks/lib.sh
build_c_tools

# Each load: its server's arguments, loadgen's, and bench's (after HOST PORT).
declare -A server_args=([echo]="echo" [app]="app" [app-keepalive]="socketkit")
declare -A loadgen_args=([echo]="echo -c 100 -s 64" [app]="app -c 100 -x" [app-keepalive]="app -c 100 -k 1000 -K")
declare -A bench_args=([echo]="echo -c 100 --size 64" [app]="app -c 100" [app-keepalive]="app -c 100 --keepalive 1000")
declare -A ports
base=$((24000 + RANDOM % 900))
for load in "${loads[@]}"; do
  [[ -n ${server_args[$load]:-} ]] || { echo "unknown load: $load (echo, app, app-keepalive)" >&2; exit 2; }
  port=$((base++))
  ports[$load]=$port
  if [[ ${server_args[$load]} == socketkit ]]; then
    "$sk" app-server 127.0.0.1 "$port" -q --max-connections 15000 >/dev/null 2>&1 &
  else
    # shellcheck disable=SC2086
    "$work/limit-server" ${server_args[$load]} -p "$port" -l 3600 >/dev/null 2>&1 &
  fi
  pids+=($!)
  wait_listening "$port"
done

for r in $(seq "$rounds"); do
  for load in "${loads[@]}"; do
    port=${ports[$load]}
    # shellcheck disable=SC2086
    "$work/loadgen" ${loadgen_args[$load]} -p "$port" -d "$duration" -w "$warmup" > "$work/loadgen.$load.$r.txt" 2>&1
    # shellcheck disable=SC2086
    "$sk" bench ${bench_args[$load]%% *} 127.0.0.1 "$port" ${bench_args[$load]#* } -d "${duration}s" --warmup "${warmup}s" --json > "$work/bench.$load.$r.json"
  done
done

python3 - "$work" "$rounds" "${loads[@]}" <<'PY'
import json, statistics, sys
work, rounds, loads = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
titles = {"echo": "echo 64 B, 100 connections", "app": "app one-shot, 100 connections",
          "app-keepalive": "app keep-alive (1,000 a connection), 100 connections"}
servers = {"echo": "limit-server", "app": "limit-server", "app-keepalive": "socketkit app-server"}
for load in loads:
    lg, bn = [], []
    for r in range(1, rounds + 1):
        line = [l for l in open(f"{work}/loadgen.{load}.{r}.txt") if l.startswith("RESULT")][-1]
        f = dict(kv.split("=", 1) for kv in line.split()[1:])
        rate = float(f["rate"])
        lg.append((rate, float(f["lg_cpu"]) / 100 / rate * 1e6))
        b = json.load(open(f"{work}/bench.{load}.{r}.json"))
        bn.append((b["per_second"], b["client_cpu_us_per_request"]))
    print(f"{titles[load]}, against {servers[load]}; {rounds} rounds, medians")
    print(f"{'load generator':<22} {'req/s':>10} {'client us/req':>14}")
    for name, runs in (("loadgen (C)", lg), (f"socketkit bench {load.split('-')[0]}", bn)):
        print(f"{name:<22} {statistics.median(r[0] for r in runs):>10,.0f} {statistics.median(r[1] for r in runs):>14.2f}")
    print(f"bench / loadgen: {statistics.median(bn[i][0] / lg[i][0] for i in range(rounds)):.2f}x the rate (median of the rounds' ratios)")
    print()
PY
