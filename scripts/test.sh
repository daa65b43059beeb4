#!/usr/bin/env bash
# The project's test command (README.md): unit tests, the integration suite against the
# real binary (side by side with redis-server 7.0 where practical), and the bounded
# decoder fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
export SLOTD_FUZZ_SECS=${SLOTD_FUZZ_SECS:-20}
cargo test --release --locked -- --test-threads="${SLOTD_TEST_THREADS:-4}"
