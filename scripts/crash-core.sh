#!/usr/bin/env bash
# Run a workload that dies by itself (abort, out of memory, --abort-on-uncaught-exception) and keep the
# core it leaves. Usage: scripts/crash-core.sh NODE WORKLOAD.js OUT_DIR [node options...]
# Leaves in OUT_DIR: core, stdout.txt, stderr.txt (Node's own report of the crash), node.txt,
# method.txt (kernel, or gdb when the kernel's cores go elsewhere), and whatever the workload writes
# to $COREWALK_OUT. Env: COREWALK_CORE_METHOD=kernel|gdb|pipe forces a method (pipe: the kernel
# writes the core through scripts/core-pipe-handler.sh, installed as core_pattern for this one crash
# and then restored; needs root); COREWALK_CRASH_TIMEOUT seconds (default 300).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: crash-core.sh NODE WORKLOAD.js OUT_DIR [node options...]" >&2; exit 2; }
source "$(dirname "$0")/core-common.sh"
take_args crash-core.sh "$1" "$2" "$3"
shift 3
rm -f "$out/core" "$out"/core.* "$out/expected.txt"
limit=${COREWALK_CRASH_TIMEOUT:-300}

pick_method gdb

export COREWALK_OUT="$out"
status=0
if [ "$method" = pipe ]; then
  spool=$(mktemp -d /var/tmp/corewalk-pipe.XXXXXX)
  handler=$(cd "$(dirname "$0")" && pwd)/core-pipe-handler.sh
  trap 'printf "%s\n" "$pattern" >/proc/sys/kernel/core_pattern; rm -rf "$spool"' EXIT
  printf '|%s %%p %s\n' "$handler" "$spool" >/proc/sys/kernel/core_pattern ||
    { echo "crash-core.sh: cannot set core_pattern (needs root)" >&2; exit 1; }
  (
    cd "$out"
    exec timeout -s KILL "$limit" "$node" "$@" "$workload" >"$out/stdout.txt" 2>"$out/stderr.txt"
  ) || status=$?
  # The handler renames the core into place when the kernel has written all of it.
  for _ in $(seq 600); do
    f=$(ls "$spool"/core.* 2>/dev/null | head -n 1 || true)
    [ -n "$f" ] && break
    sleep 0.1
  done
  [ -n "$f" ] || { echo "crash-core.sh: the pipe handler wrote no core (exit status $status)" >&2; cat "$spool/handler.log" >&2 2>/dev/null; exit 1; }
  mv "$f" "$out/core"
elif [ "$method" = kernel ]; then
  (
    cd "$out"
    ulimit -c unlimited
    exec timeout -s KILL "$limit" "$node" "$@" "$workload" >"$out/stdout.txt" 2>"$out/stderr.txt"
  ) || status=$?
  f=$(ls -t "$out"/core "$out"/core.* 2>/dev/null | head -n 1 || true)
  [ -n "$f" ] || { echo "crash-core.sh: no core (exit status $status, core_pattern: $pattern)" >&2; tail -n 5 "$out/stderr.txt" >&2; exit 1; }
  [ "$f" = "$out/core" ] || mv "$f" "$out/core"
else
  command -v gdb >/dev/null || { echo "crash-core.sh: gdb not found" >&2; exit 1; }
  # gdb stops the process at the fatal signal and writes the core at that point.
  timeout -s KILL "$limit" gdb -q -batch -nx \
    -ex 'set pagination off' -ex 'handle SIGSEGV SIGBUS SIGILL SIGTRAP stop print' \
    -ex 'run' -ex "generate-core-file $out/core" -ex 'kill' \
    --args "$node" "$@" "$workload" >"$out/stdout.txt" 2>"$out/stderr.txt" </dev/null || status=$?
  [ -s "$out/core" ] || { echo "crash-core.sh: gdb wrote no core (status $status)" >&2; tail -n 5 "$out/stderr.txt" >&2; exit 1; }
fi
printf '%s\n%s\n' "$node" "$("$node" --version)" >"$out/node.txt"
echo "$method" >"$out/method.txt"
echo "$out/core"
