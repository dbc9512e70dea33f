#!/usr/bin/env bash
# The benchmark: builds the server, the load generator and the bare-framework ceiling in release
# mode (in .build-release, apart from the debug build), runs every workload against a fresh server
# on loopback, then the crash harness. See Docs/performance.md.
#
#   Benchmarks/run.sh                 # full run (about 15 minutes after the build)
#   Benchmarks/run.sh --smoke         # a few seconds per workload
#   ROUNDS=20 Benchmarks/run.sh       # fewer crash rounds
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

scratch=.build-release
for product in smartvl-server smartvl-bench bench-hello; do
    swift build -c release --scratch-path "$scratch" --product "$product"
done
bin="$scratch/release"
mkdir -p Benchmarks/results

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)" | tee Benchmarks/results/latest.md
"$bin/smartvl-bench" run --bin "$bin" "$@" | tee -a Benchmarks/results/latest.md
rounds="${ROUNDS:-200}"
if [ "${1:-}" = "--smoke" ]; then rounds=3; fi
"$bin/smartvl-bench" crash --bin "$bin" --rounds "$rounds" --clients 4 | tee -a Benchmarks/results/latest.md
