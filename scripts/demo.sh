#!/usr/bin/env bash
# Build corewalk, make a core of a small Node workload (system node unless NODE is set), and read it.
# Usage: scripts/demo.sh [NODE_MAJOR]   e.g. scripts/demo.sh 24
set -euo pipefail
cd "$(dirname "$0")/.."
node=$(scripts/fetch-node.sh "${1:-system}")
out=${COREWALK_DEMO_DIR:-${TMPDIR:-/tmp}/corewalk-demo}
cargo build --release --quiet
echo "== making a core of testdata/small.js under $("$node" --version) in $out" >&2
scripts/make-core.sh "$node" testdata/small.js "$out" >/dev/null
echo "== corewalk info $out/core" >&2
target/release/corewalk info "$out/core"
