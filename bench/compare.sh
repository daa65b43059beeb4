#!/usr/bin/env bash
# slotd's benchmark entry point: builds the release binary and runs the shared
# side-by-side comparison against Debian's redis-server (throughput per workload and
# bytes per key, printed as ratios; >1 is better for rps, <1 for memory).
#   bench/compare.sh [rounds]          as the shared script runs it (no persistence)
#   bench/compare.sh --aof [rounds]    both servers with appendonly yes, appendfsync everysec
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared/bench/compare.sh
aof=no
if [ "${1:-}" = "--aof" ]; then aof=yes; shift; fi
cargo build --release --locked >/dev/null
if [ "$aof" = no ]; then
  exec "$SHARED" target/release/slotd "${1:-3}"
fi
# The same script with the AOF on for both servers: only the generated config differs.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed 's/appendonly no/appendonly yes\\nappendfsync everysec/' "$SHARED" > "$tmp"
grep -q 'appendfsync everysec' "$tmp" || { echo "could not switch the shared script to appendonly yes"; exit 2; }
bash "$tmp" target/release/slotd "${1:-3}"
