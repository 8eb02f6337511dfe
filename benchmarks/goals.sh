#!/usr/bin/env bash
# Every measurement behind docs/PERFORMANCE.md's "The goals of the performance issue, measured", one after another:
# each loadgen workload RUNS times (3 rounds each, the default server beside `--loops 1`, the C server and the peers),
# 10,000 idle connections, what loadgen's idle figure is made of (the runtime's settings that move it), and
# socketkit bench against loadgen. Each run prints the median of the rounds and their spread; RUNS (2) gives the
# spread between runs. Takes about 25 minutes; nothing else should run on the machine meanwhile.
#
#   benchmarks/goals.sh [OUT]      # OUT: folder for the outputs (default: a new one under /tmp), summed up in OUT/log
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d /tmp/socketkit-goals.XXXX)}
mkdir -p "$out"
sk=${SOCKETKIT:-src/SocketKit.Cli/bin/Release/net10.0/socketkit}
log() { echo "$*" >> "$out/log"; }
log "start $(date +%T), load $(cut -d' ' -f1 /proc/loadavg), commit $(git rev-parse --short HEAD 2>/dev/null)"
for run in $(seq "${RUNS:-2}"); do
  for w in echo64 echo64-1k echo64k echo64-idle app app-keepalive; do
    log "== run $run: $w, $(date +%T), load $(cut -d' ' -f1 /proc/loadavg)"
    VARIANTS='--loops 1' ./benchmarks/loadgen.sh "$w" 3 > "$out/$w.$run.txt" 2>&1
    tail -n 12 "$out/$w.$run.txt" >> "$out/log"
  done
done
log "== idle, $(date +%T)"
./benchmarks/loadgen.sh idle > "$out/idle.txt" 2>&1
grep -E "^[A-Za-z]|RSS|connect phase|cpu during" "$out/idle.txt" >> "$out/log"

# loadgen's idle figure with the runtime's background compiling off, with 1 MB GC regions, and both: what moves it.
bench=${BENCH:-../shared/bench}
tools=$(mktemp -d)
cp "$bench"/*.c "$bench"/*.h "$bench"/Makefile "$tools"/ && make -s -C "$tools" >/dev/null
for settings in "" "DOTNET_TieredCompilation=0" "DOTNET_GCRegionSize=0x100000" "DOTNET_TieredCompilation=0 DOTNET_GCRegionSize=0x100000"; do
  for rep in 1 2; do
    port=$((24000 + RANDOM % 1000))
    # shellcheck disable=SC2086 # settings are separate words
    env $settings "$sk" echo-server 127.0.0.1 $port -q --max-connections 15000 >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do [[ -n $(ss -Hltn "( sport = :$port )") ]] && break; sleep 0.1; done
    log "idle [${settings:-as shipped}] $rep: $("$tools/loadgen" idle -p $port -c 10000 -s 1 -q 64 -H 10 -P $pid 2>&1 | grep RESULT)"
    kill $pid; wait $pid 2>/dev/null
  done
done
rm -rf "$tools"

log "== bench against loadgen, $(date +%T)"
./benchmarks/bench-vs-loadgen.sh 3 > "$out/bench-vs-loadgen.txt" 2>&1
tail -n 15 "$out/bench-vs-loadgen.txt" >> "$out/log"
log "done $(date +%T)"
echo "$out/log"
