#!/usr/bin/env bash
# Builds slotd and starts one node in the foreground with configs/node.conf
# (extra arguments are passed on: scripts/start.sh --port 7000).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
exec target/release/slotd configs/node.conf "$@"
