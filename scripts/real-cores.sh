#!/usr/bin/env bash
# Cores of the real-program corpus (testdata/real) under one Node major, for manual measurement.
# Usage: scripts/real-cores.sh NODE_MAJOR [WORKLOAD...]
#   NODE_MAJOR: 20 or system (the system node), or anything scripts/fetch-node.sh takes (22, 24, 26, ...)
#   WORKLOAD:   names of testdata/real/*.js (default: all of web compiler data streams db templates async)
# Installs the corpus's node_modules first (scripts/real-deps.sh). Each core is made by
# scripts/make-core.sh (method: $COREWALK_CORE_METHOD, default gcore) into
# ${COREWALK_REAL_OUT:-/tmp/corewalk-real}/<workload>-<major>/ (core, v8.heapsnapshot, live.json, ...).
# Prints one line per workload: the core's path, the seconds taken and the used heap size.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: real-cores.sh NODE_MAJOR [WORKLOAD...]" >&2; exit 2; }
cd "$(dirname "$0")/.."
major=$1
shift
case "$major" in
  20|system) node=$(command -v node) ;;
  *) node=$(scripts/fetch-node.sh "$major") ;;
esac
scripts/real-deps.sh >/dev/null
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(web compiler data streams db templates async)
base=${COREWALK_REAL_OUT:-/tmp/corewalk-real}
export COREWALK_CORE_METHOD=${COREWALK_CORE_METHOD:-gcore}
status=0
for w in "${workloads[@]}"; do
  js=testdata/real/$w.js
  [ -f "$js" ] || { echo "real-cores.sh: no workload $js" >&2; status=1; continue; }
  out=$base/$w-$major
  start=$(date +%s.%N)
  if core=$(scripts/make-core.sh "$node" "$js" "$out"); then
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    heap=$("$node" -p "require('$out/live.json').heapStatistics.used_heap_size")
    echo "$core  ${secs}s  used_heap_size=$heap"
  else
    echo "real-cores.sh: $w under node $major failed (see $out/stderr.txt)" >&2
    status=1
  fi
done
exit $status
