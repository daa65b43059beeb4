#!/usr/bin/env bash
# slotd's benchmark entry point: builds the release binary and runs the shared
# side-by-side comparison against Debian's redis-server (throughput per workload and
# bytes per key, printed as ratios; >1 is better for rps, <1 for memory).
#   bench/compare.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked >/dev/null
exec ../shared/bench/compare.sh target/release/slotd "${1:-3}"
