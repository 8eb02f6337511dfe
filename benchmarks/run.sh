#!/usr/bin/env bash
# Runs the protocol core's micro-benchmarks (BenchmarkDotNet, Release). Arguments go to BenchmarkDotNet,
# e.g. ./benchmarks/run.sh --job short, or --filter '*Decode*' (default: all). Results land in BenchmarkDotNet.Artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
[[ " ${args[*]} " == *" --filter "* ]] || args+=(--filter '*')
exec dotnet run -c Release --project benchmarks/SocketKit.Benchmarks -- "${args[@]}"
