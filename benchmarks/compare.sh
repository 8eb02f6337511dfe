#!/usr/bin/env bash
# Runs one workload of `socketkit bench` against several servers in one run, round by round (A B C A B C ...),
# so they share the machine's state, and prints each server's median with its ratio to the first.
#
#   benchmarks/compare.sh WORKLOAD [ROUNDS]       WORKLOAD: echo64 | echo64k | app | app-keepalive | echo64-tls | echo64k-tls
#
# The -tls workloads serve TLS with a self-signed certificate made for the run (openssl) and load it with
# --tls-insecure; they have no C server, so the first engine listed is the base of the ratios.
#
# Servers: the C ceiling server when LIMIT_SERVER_C names limit-server.c (built with gcc -O2), then
# socketkit's server on each engine. SOCKETKIT names the socketkit executable (default: the Release build);
# DURATION (default 5s) and WARMUP (default 1s) set each run's length.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: benchmarks/compare.sh echo64|echo64k|app|app-keepalive|echo64-tls|echo64k-tls [ROUNDS]}
rounds=${2:-3}
duration=${DURATION:-5s}
warmup=${WARMUP:-1s}
source benchmarks/lib.sh

case $workload in
  echo64) kind=echo; c_mode=(echo); sk_cmd=echo-server; engines=(select blocking); load=(-c 100 --size 64) ;;
  echo64k) kind=echo; c_mode=(echo); sk_cmd=echo-server; engines=(select blocking); load=(-c 10 --size 65536) ;;
  app) kind=app; c_mode=(app); sk_cmd=app-server; engines=(select blocking); load=(-c 100) ;;
  echo64-tls) kind=echo; c_mode=(); sk_cmd=echo-server; engines=(select blocking); load=(-c 100 --size 64 --tls-insecure); tls=1 ;;
  echo64k-tls) kind=echo; c_mode=(); sk_cmd=echo-server; engines=(select blocking); load=(-c 10 --size 65536 --tls-insecure); tls=1 ;;
  app-keepalive) kind=app; c_mode=(app -k); sk_cmd=app-server; engines=(select); load=(-c 100 --keepalive 100000 --pipeline 16) ;;
  *) echo "unknown workload '$workload'" >&2; exit 2 ;;
esac

names=() ports=() spids=() tls_args=()
port=$((21100 + RANDOM % 500))
if [[ -n ${tls:-} ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
  tls_args=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
fi
if [[ -n ${LIMIT_SERVER_C:-} && -z ${tls:-} ]]; then
  gcc -O2 -o "$work/limit-server" "$LIMIT_SERVER_C" -I"$(dirname "$LIMIT_SERVER_C")"
  "$work/limit-server" "${c_mode[@]}" -p $port -l 3600 2>"$work/c.log" &
  pids+=($!); names+=("C epoll (limit-server)"); ports+=($port); spids+=($!); port=$((port + 1))
fi
for engine in "${engines[@]}"; do
  "$sk" "$sk_cmd" 127.0.0.1 $port --engine "$engine" "${tls_args[@]}" -q &
  pids+=($!); names+=("socketkit $sk_cmd --engine $engine"); ports+=($port); spids+=($!); port=$((port + 1))
done
wait_listening "${ports[@]}"

for r in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    "$sk" bench "$kind" 127.0.0.1 "${ports[$i]}" "${load[@]}" -d "$duration" --warmup "$warmup" \
      --server-pid "${spids[$i]}" --json > "$work/$i.$r.json" || true
  done
done

python3 - "$work" "$rounds" "${names[@]}" <<'PY'
import json, statistics, sys
work, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = []
for i, name in enumerate(names):
    runs = [json.load(open(f"{work}/{i}.{r}.json")) for r in range(1, rounds + 1)]
    med = lambda key: statistics.median(run.get(key, 0) for run in runs)
    lat = lambda p: statistics.median(run["latency_us"][p] for run in runs)
    errors = sum(sum(run["errors"].values()) for run in runs)
    rows.append((name, med("per_second"), med("mb_per_second"), med("server_cpu_percent"),
                 med("server_cpu_us_per_request"), med("client_cpu_us_per_request"), lat("p50"), lat("p99"), errors))
base = rows[0]
print(f"{'server':<40} {'per s':>10} {'MB/s':>9} {'ratio':>6} {'srv CPU':>8} {'us/req':>7} {'ratio':>6} {'p50 us':>8} {'p99 us':>8} {'errors':>6}")
for name, rate, mb, cpu, us, cus, p50, p99, errors in rows:
    print(f"{name:<40} {rate:>10,.0f} {mb:>9,.1f} {rate / base[1]:>6.2f} {cpu:>7.0f}% {us:>7.2f} {us / base[4] if base[4] else 0:>6.2f} {p50:>8,.0f} {p99:>8,.0f} {errors:>6}")
PY
