# What the benchmark scripts share; each sources it after moving to the repository's root:
#   sk        the socketkit executable: SOCKETKIT, or the Release build
#   work      a temporary folder, removed on exit
#   pids      the processes the script started; on exit each is resumed (should it be paused) and stopped
# shellcheck shell=bash
sk=${SOCKETKIT:-src/SocketKit.Cli/bin/Release/net10.0/socketkit}
work=$(mktemp -d)
pids=()

cleanup() {
  local p
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Builds loadgen and limit-server from BENCH (default ../shared/bench) into $work.
build_c_tools() {
  local bench=${BENCH:-../shared/bench}
  cp "$bench"/*.c "$bench"/*.h "$bench"/Makefile "$work"/ && make -s -C "$work" >/dev/null
}

# wait_listening PORT...: returns once something listens on each port, seen without connecting (a bare connect is
# a broken request to some servers); at most ten seconds a port.
wait_listening() {
  local p
  for p in "$@"; do
    for _ in $(seq 100); do [[ -n $(ss -Hltn "( sport = :$p )") ]] && break; sleep 0.1; done
  done
}

# Builds the .NET peers of benchmarks/peers (Kestrel, DotNetty echo servers) into $work/peers/NAME.
build_peers() {
  local peer
  for peer in KestrelEcho DotNettyEcho; do
    dotnet build -c Release -v q -nologo "benchmarks/peers/$peer" -o "$work/peers/$peer" >/dev/null
  done
}
