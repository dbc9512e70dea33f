#!/usr/bin/env bash
# The benchmark: builds the server, the load generator and the bare-framework ceiling in release
# mode (in .build-release, apart from the debug build), installs the peer (Kinto on PostgreSQL)
# where missing, runs every workload against a fresh server and a fresh peer on loopback, then
# the crash harness against both. See Docs/performance.md.
#
#   Benchmarks/run.sh                       # full run (about 25 minutes after the build)
#   Benchmarks/run.sh --smoke               # a few seconds per workload
#   Benchmarks/run.sh --only create,peer    # chosen workloads (ceiling, create, push, pull, queue, peer)
#   ROUNDS=20 PEER_ROUNDS=10 Benchmarks/run.sh   # fewer crash rounds (defaults 200 and 50)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; fi

scratch=.build-release
for product in smartvl-server smartvl-bench bench-hello; do
    swift build -c release --scratch-path "$scratch" --product "$product"
done
Benchmarks/setup-peer.sh || echo "the peer could not be installed: its rows will say so" >&2
bin="$scratch/release"
mkdir -p Benchmarks/results

echo "# $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)" | tee Benchmarks/results/latest.md
"$bin/smartvl-bench" run --bin "$bin" "$@" | tee -a Benchmarks/results/latest.md
rounds="${ROUNDS:-200}"
peer_rounds="${PEER_ROUNDS:-50}"
if [ "${1:-}" = "--smoke" ]; then rounds=3; peer_rounds=2; fi
"$bin/smartvl-bench" crash --bin "$bin" --rounds "$rounds" --clients 4 --peer-rounds "$peer_rounds" | tee -a Benchmarks/results/latest.md
