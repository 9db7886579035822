#!/usr/bin/env bash
# The leak scenario: start testdata/leak/server.js, drive N requests at it from a second process,
# have it write V8's snapshot (a.heapsnapshot) and take a core (core.a, by gdb); drive M more,
# snapshot b and core.b; stop the server.
# Usage: scripts/leak-cores.sh NODE OUT_DIR N M
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: leak-cores.sh NODE OUT_DIR N M" >&2; exit 2; }
cd "$(dirname "$0")/.."
source scripts/core-common.sh
take_args leak-cores.sh "$1" testdata/leak/server.js "$2"
n=$3
m=$4
command -v gdb >/dev/null || { echo "leak-cores.sh: gdb not found" >&2; exit 1; }
rm -f "$out"/port "$out"/core.* "$out"/*.heapsnapshot
export COREWALK_OUT="$out"
"$node" "$workload" >"$out/server.out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do [ -f "$out/port" ] && break; sleep 0.1; done
[ -f "$out/port" ] || { echo "leak-cores.sh: the server did not start" >&2; cat "$out/server.out" >&2; exit 1; }
port=$(cat "$out/port")
for step in a b; do
  count=$n; [ "$step" = b ] && count=$m
  "$node" testdata/leak/client.js "$port" "$count" "$step"
  sleep 0.2
  # gdb's gcore, keeping to the process's coredump_filter as the kernel would.
  gdb -q -batch -nx -p "$pid" -ex 'set use-coredump-filter on' \
    -ex "generate-core-file $out/core.$step" >/dev/null 2>&1 ||
    { echo "leak-cores.sh: gdb could not take a core" >&2; exit 1; }
done
printf '%s\n%s\n' "$node" "$("$node" --version)" >"$out/node.txt"
echo "$out"
