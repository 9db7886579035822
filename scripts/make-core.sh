#!/usr/bin/env bash
# Run a workload under a given node, wait until it declares itself ready (testdata/lib/harness.js writes
# V8's own snapshot and live.json, then freezes), and take a core of it.
# Usage: scripts/make-core.sh NODE WORKLOAD.js OUT_DIR [node options...]
# Leaves in OUT_DIR: core (the core file), live.json, v8.heapsnapshot, node.txt (node path and version),
# method.txt (kernel or gcore). Env: COREWALK_CORE_METHOD=kernel|gcore forces a method;
# COREWALK_SNAPSHOT=0 skips V8's snapshot; COREWALK_READY_TIMEOUT seconds to wait (default 600).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: make-core.sh NODE WORKLOAD.js OUT_DIR [node options...]" >&2; exit 2; }
source "$(dirname "$0")/core-common.sh"
take_args make-core.sh "$1" "$2" "$3"
shift 3
rm -f "$out/core" "$out"/core.* "$out/live.json" "$out/v8.heapsnapshot" "$out/ready"

pick_method gcore
if [ "$method" = gcore ] && ! command -v gcore >/dev/null; then
  echo "make-core.sh: gcore not found (install gdb)" >&2; exit 1
fi

(
  cd "$out"
  ulimit -c unlimited
  export COREWALK_OUT="$out"
  exec "$node" "$@" "$workload" >"$out/stdout.txt" 2>"$out/stderr.txt"
) &
pid=$!
limit=${COREWALK_READY_TIMEOUT:-600}
start=$(date +%s)
while [ ! -f "$out/live.json" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "make-core.sh: workload exited before it was ready:" >&2; tail -n 20 "$out/stderr.txt" >&2; exit 1
  fi
  if [ $(( $(date +%s) - start )) -gt "$limit" ]; then
    kill -9 "$pid" 2>/dev/null || true; echo "make-core.sh: workload not ready after ${limit}s" >&2; exit 1
  fi
  sleep 0.1
done
sleep 0.3   # let the main thread reach Atomics.wait

if [ "$method" = kernel ]; then
  kill -ABRT "$pid"
  wait "$pid" 2>/dev/null || true
  f=$(ls -t "$out"/core "$out"/core.* 2>/dev/null | head -n 1 || true)
  [ -n "$f" ] || { echo "make-core.sh: the kernel wrote no core (core_pattern: $pattern)" >&2; exit 1; }
  [ "$f" = "$out/core" ] || mv "$f" "$out/core"
else
  gcore -o "$out/core" "$pid" >/dev/null 2>&1 || { kill -9 "$pid"; echo "make-core.sh: gcore failed" >&2; exit 1; }
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  mv "$out/core.$pid" "$out/core"
fi
printf '%s\n%s\n' "$node" "$("$node" --version)" >"$out/node.txt"
echo "$method" >"$out/method.txt"
echo "$out/core"
