#!/usr/bin/env bash
# Runs SocketKit's whole test suite on a fresh machine: installs the Debian packages the tests
# drive (each only when missing), runs `dotnet test`, and prints the totals as "N passed, N failed".
# Every test runs here, none is skipped: SOCKETKIT_REQUIRE_ALL=1 turns a missing requirement (a program, root)
# into a failure that names it, and a skipped test fails the run. Run it as root (CI does).
# Extra arguments go to dotnet test (e.g. --filter "FullyQualifiedName~Protocol").
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian puts daemons (haproxy, nginx) in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

# command -> Debian package, for every external program a test starts.
declare -A packages=(
  [python3]=python3
  [redis-server]=redis-server
  [haproxy]=haproxy
  [nginx]=nginx
  [tshark]=tshark
  [ss]=iproute2
  [ip]=iproute2
  [tc]=iproute2
  [nft]=nftables
  [prlimit]=util-linux
  [unshare]=util-linux
  [setpriv]=util-linux
  [hexdump]=bsdextrautils
)
missing=()
for command in "${!packages[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${packages[$command]}")
done
# nginx's stream module is a file, not a command: the load balancer tests load it explicitly.
[[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=(libnginx-mod-stream)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The real dotnet-counters, where the hosting tests look for it (Support/DotnetCounters.cs), so they need no network.
counters_version=10.0.750501
counters_path="${TMPDIR:-/tmp}/socketkit-tools/dotnet-counters-$counters_version"
if [[ ! -x "$counters_path/dotnet-counters" ]]; then
  echo "Installing dotnet-counters $counters_version ..."
  dotnet tool install --tool-path "$counters_path" dotnet-counters --version "$counters_version" >/dev/null
fi

export SOCKETKIT_REQUIRE_ALL=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
# The console logger at normal verbosity names each test as it finishes: progress while the run takes minutes.
dotnet test SocketKit.slnx -c Release --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" || status=$?

# The totals come from the test results themselves, summed over every test assembly.
count() { grep -ho "$1=\"[0-9]*\"" "$results"/*.trx 2>/dev/null | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'; }
# The counters leave skipped tests out: count their results.
skipped=$(grep -ho 'outcome="NotExecuted"' "$results"/*.trx 2>/dev/null | wc -l || true)
if ((skipped)); then
  echo "FAILED: $skipped tests were skipped, and here every test must run:" >&2
  sed -n 's/.*testName="\([^"]*\)".*outcome="NotExecuted".*/  \1/p' "$results"/*.trx >&2
  status=1
fi
# Last, on a line of its own: what CI reads.
echo "$(count passed) passed, $(count failed) failed"
exit $status
