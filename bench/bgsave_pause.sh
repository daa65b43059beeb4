#!/usr/bin/env bash
# The longest pause a client sees while a BGSAVE of 1M keys runs under a write load,
# slotd (fork-less snapshot) side by side with Debian's redis-server (fork).
#   bench/bgsave_pause.sh [keys]
# For each server: load KEYS keys (DEBUG POPULATE), start a redis-benchmark SET load
# (50 clients, pipeline 1), issue BGSAVE while it runs, and report the benchmark's
# max latency (p100) together with the same run without a BGSAVE as the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${1:-1000000}
cargo build --release --locked >/dev/null
OURS=$PWD/target/release/slotd
REDIS=$(command -v redis-server) || { echo "redis-server missing: apt-get install -y redis-server"; exit 2; }
WORK=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
pin() { if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }

start() { # bin port
  mkdir -p "$WORK/$2"
  (cd "$WORK/$2" && exec taskset -c 0 "$1" --port "$2" --bind 127.0.0.1 --save "" --dir "$WORK/$2" --enable-debug-command yes > log 2>&1) & PIDS+=($!)
  for _ in $(seq 100); do redis-cli -p "$2" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$2" debug populate "$KEYS" key 16 >/dev/null
}
max_latency() { # port with_bgsave -> p100 ms of a SET load
  local port=$1 csv="$WORK/bench.csv"
  pin 1 redis-benchmark -p "$port" -t set -n 600000 -c 50 -r "$KEYS" -d 16 --csv > "$csv" 2>/dev/null &
  local b=$!
  if [ "$2" = yes ]; then
    sleep 0.5
    redis-cli -p "$port" bgsave >/dev/null
    while redis-cli -p "$port" info persistence | grep -q 'rdb_bgsave_in_progress:1'; do sleep 0.05; done
  fi
  wait $b
  awk -F, 'NR==2{gsub(/"/,""); print $7 "/" $8}' "$csv"
}
printf '%-10s %22s %22s %8s\n' server "p99/p100 ms (no save)" "p99/p100 ms (BGSAVE)" "save s"
for spec in "slotd $OURS 18101" "redis $REDIS 18102"; do
  set -- $spec
  start "$2" "$3"
  base=$(max_latency "$3" no)
  during=$(max_latency "$3" yes)
  secs=$(redis-cli -p "$3" info persistence | awk -F: '/rdb_last_bgsave_time_sec/{print $2}' | tr -d '\r')
  printf '%-10s %22s %22s %8s\n' "$1" "$base" "$during" "$secs"
done
