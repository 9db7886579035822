#!/usr/bin/env bash
# The project's test command: formatting, lints, unit and integration tests (real Node 20/22/24/26
# processes and cores; Node builds are fetched and cached by scripts/fetch-node.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# --show-output: the fidelity tests print their figures (recall, precision per Node version).
cargo test --release -- --show-output 2>&1 | tee "$log" || status=$?
# One closing line over all test binaries.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit $status
