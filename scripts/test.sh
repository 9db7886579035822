#!/usr/bin/env bash
# The project's test command: formatting, lints, unit and integration tests (real Node 20/22/24/26
# processes and cores; Node builds are fetched and cached by scripts/fetch-node.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --release 2>&1
