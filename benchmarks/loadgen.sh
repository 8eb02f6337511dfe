#!/usr/bin/env bash
# Measures socketkit's servers against the C ceiling (limit-server) with the independent C load generator (loadgen),
# both from ../shared/bench, side by side in one run: every server is started first, then they take turns round by
# round (A B C, A B C, ...), each resumed (SIGCONT) only for its own turn and stopped (SIGSTOP) otherwise, so they
# share the machine's state and none steals CPU from another's measurement. Prints each server's median and the
# median of its per-round ratios to the C server.
#
#   benchmarks/loadgen.sh WORKLOAD [ROUNDS]
#     echo64        loadgen echo -c 100 -s 64             (C, socketkit default engine, the .NET peers)
#     echo64-1k     loadgen echo -c 1000 -s 64
#     echo64k       loadgen echo -c 10 -s 65536
#     echo64-idle   echo64 while each server also holds 10,000 idle connections (servers --max-connections 15000)
#     app           loadgen app -c 100 -t 2 -x            (also benchmarks/python/app_server.py, the tutorial's design, as the Python reference)
#     app-keepalive loadgen app -c 100 -k 1000 -K         (limit-server app -k)
#     idle          loadgen idle -c 10000: server RSS per connection, connect time, server CPU while idle
#
# The echo workloads and idle also run the .NET peers of benchmarks/peers (a Kestrel ConnectionHandler and DotNetty's
# echo server), built here in Release; PEERS=0 leaves them out.
# BENCH names the folder with loadgen.c and limit-server.c (default ../shared/bench), built here with make into a
# temporary folder; SOCKETKIT names the socketkit executable (default: the Release build); DURATION (5) and WARMUP (1)
# are each run's seconds; VARIANTS adds socketkit servers with other options, separated by ';' (e.g. VARIANTS='--loops 1');
# BASELINE names another socketkit executable (an earlier build) whose default server runs beside, for before/after
# ratios in one run; LOGGING=1 adds the default server with its default logging (not -q), its log written to a file.
# Nothing else should run on the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: benchmarks/loadgen.sh echo64|echo64-1k|echo64k|echo64-idle|app|app-keepalive|idle [ROUNDS]}
rounds=${2:-3}
duration=${DURATION:-5}
warmup=${WARMUP:-1}
source benchmarks/lib.sh
holders=()
# KEEP keeps the run's files in /tmp/loadgen-last; the idle connections' holders stop with the servers.
keep_and_cleanup() { [[ -n ${KEEP:-} ]] && cp -r "$work" /tmp/loadgen-last; pids=("${holders[@]}" "${pids[@]}"); cleanup; }
trap keep_and_cleanup EXIT
build_c_tools
loadgen=$work/loadgen
case $workload in
  echo64|echo64-1k|echo64k|echo64-idle|idle) [[ ${PEERS:-1} == 1 ]] && build_peers ;;
esac

names=() ports=()
port=$((22000 + RANDOM % 2000))
start() { # NAME COMMAND...: starts a server on $port, remembers it
  local name=$1; shift
  "$@" >"$work/server.$port.log" 2>&1 &
  pids+=($!); names+=("$name"); ports+=($port); port=$((port + 1))
}
variants() { # COMMAND: one more server for each of VARIANTS
  local variant
  IFS=';' read -ra list <<< "${VARIANTS:-}"
  for variant in "${list[@]}"; do
    [[ -z ${variant// } ]] && continue
    # shellcheck disable=SC2086 # a variant is several words
    start "socketkit $1 $variant" "$sk" "$1" 127.0.0.1 $port -q "${extra[@]}" $variant
  done
}
c_app=(app)
case $workload in
  echo64|echo64-idle) load=(echo -c 100 -s 64) ;;
  echo64-1k) load=(echo -c 1000 -s 64) ;;
  echo64k) load=(echo -c 10 -s 65536) ;;
  app) load=(app -c 100 -t 2 -x) ;;
  app-keepalive) load=(app -c 100 -k 1000 -K); c_app=(app -k) ;;
  idle) load=() ;;
  *) echo "unknown workload '$workload'" >&2; exit 2 ;;
esac
extra=(--max-connections 15000)
case $workload in
  app|app-keepalive)
    start "C limit-server" "$work/limit-server" "${c_app[@]}" -p $port -l 3600
    start "socketkit app-server" "$sk" app-server 127.0.0.1 $port -q "${extra[@]}"
    variants app-server
    [[ -n ${BASELINE:-} ]] && start "socketkit app-server (baseline)" "$BASELINE" app-server 127.0.0.1 $port -q "${extra[@]}"
    [[ -n ${LOGGING:-} ]] && start "socketkit app-server (default logging)" "$sk" app-server 127.0.0.1 $port "${extra[@]}"
    [[ $workload == app ]] && start "Python (the tutorial's app-server design)" python3 benchmarks/python/app_server.py 127.0.0.1 $port
    ;;
  *)
    start "C limit-server" "$work/limit-server" echo -p $port -l 3600
    start "socketkit echo-server" "$sk" echo-server 127.0.0.1 $port -q "${extra[@]}"
    variants echo-server
    [[ -n ${BASELINE:-} ]] && start "socketkit echo-server (baseline)" "$BASELINE" echo-server 127.0.0.1 $port -q "${extra[@]}"
    [[ -n ${LOGGING:-} ]] && start "socketkit echo-server (default logging)" "$sk" echo-server 127.0.0.1 $port "${extra[@]}"
    if [[ ${PEERS:-1} == 1 ]]; then
      start "Kestrel ConnectionHandler (peer)" "$work/peers/KestrelEcho/KestrelEcho" 127.0.0.1 $port
      start "DotNetty 0.7.6 (peer)" "$work/peers/DotNettyEcho/DotNettyEcho" 127.0.0.1 $port
    fi
    ;;
esac
wait_listening "${ports[@]}"
pause_all() { for p in "${pids[@]}"; do kill -STOP "$p"; done; }
pause_all

if [[ $workload == idle ]]; then
  for i in "${!names[@]}"; do
    kill -CONT "${pids[$i]}"
    "$loadgen" idle -p "${ports[$i]}" -c 10000 -s 1 -q 64 -H 10 -P "${pids[$i]}" > "$work/$i.1.txt" 2>&1 || true
    kill -STOP "${pids[$i]}"
  done
  rounds=1
else
  if [[ $workload == echo64-idle ]]; then
    # 10,000 idle connections held on each server for the whole run, by a loadgen of their own.
    for i in "${!names[@]}"; do
      kill -CONT "${pids[$i]}"
      "$loadgen" idle -p "${ports[$i]}" -c 10000 -s 1 -q 64 -H 3600 > "$work/holder.$i.txt" 2>&1 &
      holders+=($!)
      for _ in $(seq 300); do
        (( $(ss -Htn state established "( sport = :${ports[$i]} )" | wc -l) >= 10000 )) && break; sleep 0.1
      done
      kill -STOP "${pids[$i]}"
    done
  fi
  for r in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
      kill -CONT "${pids[$i]}"
      "$loadgen" "${load[@]}" -p "${ports[$i]}" -d "$duration" -w "$warmup" -P "${pids[$i]}" > "$work/$i.$r.txt" 2>&1 || true
      kill -STOP "${pids[$i]}"
    done
  done
fi

python3 - "$work" "$rounds" "$workload" "${names[@]}" <<'PY'
import re, statistics, sys
work, rounds, workload, names = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def result(i, r):
    text = open(f"{work}/{i}.{r}.txt").read()
    line = [l for l in text.splitlines() if l.startswith("RESULT")]
    if not line:
        sys.exit(f"{names[i]}, round {r}: no RESULT line:\n{text}")
    return dict(kv.split("=", 1) for kv in line[-1].split()[1:]), text
if workload == "idle":
    for i, name in enumerate(names):
        fields, text = result(i, 1)
        print(f"{name}:")
        print("  " + "\n  ".join(l for l in text.splitlines() if not l.startswith("machine")))
    sys.exit()
runs = [[result(i, r)[0] for r in range(1, rounds + 1)] for i in range(len(names))]
num = lambda run, key: float(run.get(key, "0"))
cpu_per = lambda run: num(run, "srv_cpu") / 100 / num(run, "rate") * 1e6 if num(run, "rate") else 0
print(f"{workload}, {rounds} rounds, medians; ratios are medians of each round's ratio to {names[0]}, spread the lowest and highest of them")
print(f"{'server':<40} {'rate/s':>10} {'ratio':>6} {'spread':>10} {'srv CPU':>8} {'us/msg':>7} {'ratio':>6} {'spread':>10} {'p50 us':>8} {'p99 us':>8} {'errors':>7}")
for i, name in enumerate(names):
    rs = runs[i]
    rate = statistics.median(num(run, "rate") for run in rs)
    ratios = [num(rs[r], "rate") / num(runs[0][r], "rate") for r in range(rounds)]
    ratio = statistics.median(ratios)
    cpu = statistics.median(num(run, "srv_cpu") for run in rs)
    us = statistics.median(cpu_per(run) for run in rs)
    cratios = [cpu_per(rs[r]) / cpu_per(runs[0][r]) for r in range(rounds) if cpu_per(runs[0][r])] or [0]
    cratio = statistics.median(cratios)
    spread = lambda values: f"{min(values):.2f}-{max(values):.2f}"
    p50 = statistics.median(num(run, "p50_us") for run in rs)
    p99 = statistics.median(num(run, "p99_us") for run in rs)
    errors = sum(0 if run.get("errors", "0") == "0" else 1 for run in rs)
    print(f"{name:<40} {rate:>10,.0f} {ratio:>6.2f} {spread(ratios):>10} {cpu:>7.0f}% {us:>7.2f} {cratio:>6.2f} {spread(cratios):>10} {p50:>8,.0f} {p99:>8,.0f} {errors:>7}")
PY
