#!/usr/bin/env bash
# Build corewalk, make a core of a Node workload with many kinds of objects (system node unless a
# major version is given), and read it: process and heap info, what fills the heap, a heap snapshot
# for DevTools, and the main thread's stack.
# Usage: scripts/demo.sh [NODE_MAJOR]   e.g. scripts/demo.sh 24
set -euo pipefail
cd "$(dirname "$0")/.."
node=$(scripts/fetch-node.sh "${1:-system}")
out=${COREWALK_DEMO_DIR:-${TMPDIR:-/tmp}/corewalk-demo}
cargo build --release --quiet
# Exit 3 is a partial result, printed with its warnings (today every command that reads the object
# graph, whose C++-held roots are guessed): the demo goes on.
corewalk() { target/release/corewalk "$@" || [ $? -eq 3 ]; }
echo "== making a core of testdata/zoo.js under $("$node" --version) in $out" >&2
scripts/make-core.sh "$node" testdata/zoo.js "$out" >/dev/null
echo "== corewalk info $out/core" >&2
corewalk info "$out/core"
echo "== corewalk analyze $out/core --top 20" >&2
corewalk analyze "$out/core" --top 20
echo "== corewalk objects $out/core --class Session --limit 3" >&2
corewalk objects "$out/core" --class Session --limit 3
echo "== corewalk snapshot $out/core -o $out/core.heapsnapshot   (open it in Chrome DevTools > Memory)" >&2
corewalk snapshot "$out/core" -o "$out/core.heapsnapshot"
echo "== corewalk stack $out/core --args   (main thread)" >&2
corewalk stack "$out/core" --args | awk 'NR > 1 && /^$/ { exit } { print }'
