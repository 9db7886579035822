#!/usr/bin/env bash
# Show that two corewalk binaries print the same thing: every command, human and --json, on real cores
# of Node 20, 22, 24 and 26 (testdata/zoo.js, testdata/kitchen.mjs, a process.abort() crash, the leak
# scenario), byte for byte on stdout, snapshot files and stderr; exit statuses are listed side by side.
# Usage: scripts/same-output.sh OLD_BINARY NEW_BINARY [WORK_DIR]
# WORK_DIR (default ${TMPDIR:-/tmp}/corewalk-same) keeps the cores between runs (made once) and the
# outputs of the last run. Exit 0 when everything matches, 1 otherwise (the differences are listed).
# Env: COREWALK_SAME_MAJORS="20 26" limits the Node versions.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: same-output.sh OLD NEW [WORK_DIR]" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
cd "$(dirname "$0")/.."
work=${3:-${TMPDIR:-/tmp}/corewalk-same}
mkdir -p "$work"
majors=${COREWALK_SAME_MAJORS:-20 22 24 26}

cores=()
for v in $majors; do
  node=$(scripts/fetch-node.sh "$([ "$v" = 20 ] && echo system || echo "$v")")
  for w in zoo.js kitchen.mjs; do
    d="$work/cores/$v-${w%.*}"
    mkdir -p "$d"
    [ -s "$d/core" ] || COREWALK_SNAPSHOT=0 scripts/make-core.sh "$node" "testdata/$w" "$d" >/dev/null
    cores+=("$d/core")
  done
  d="$work/cores/$v-abort"
  mkdir -p "$d"
  [ -s "$d/core" ] || scripts/crash-core.sh "$node" testdata/crash/abort.js "$d" >/dev/null
  cores+=("$d/core")
done
v=$(echo "$majors" | awk '{ print $NF }')
leak="$work/cores/$v-leak"
mkdir -p "$leak"
[ -s "$leak/core.b" ] || scripts/leak-cores.sh "$(scripts/fetch-node.sh "$v")" "$leak" 60 40 >/dev/null

# One address and one class of each core, for inspect, refs, objects and retainers: the first
# instance of the largest JS class that `old` lists.
pick() {
  "$old" analyze "$1" --json -q 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
c = next((c for c in r["classes"] if c["type"] in ("object", "closure") and not c["name"].startswith("(")), None)
print(c["name"] if c else "Object")'
}

fail=0
run() { # NAME ARGS...: run both binaries, compare stdout, stderr and exit status
  local name=$1
  shift
  local o="$work/out/old/$name" n="$work/out/new/$name"
  mkdir -p "$(dirname "$o")" "$(dirname "$n")"
  local so=0 sn=0 what=()
  "$old" "$@" >"$o.out" 2>"$o.err" || so=$?
  [ -z "${snap:-}" ] || mv "$snap" "$o.heapsnapshot" 2>/dev/null || true
  "$new" "$@" >"$n.out" 2>"$n.err" || sn=$?
  if [ -n "${snap:-}" ]; then
    mv "$snap" "$n.heapsnapshot" 2>/dev/null || true
    cmp -s "$o.heapsnapshot" "$n.heapsnapshot" || what+=(snapshot)
  fi
  cmp -s "$o.out" "$n.out" || what+=(stdout)
  cmp -s "$o.err" "$n.err" || what+=(stderr)
  if [ "$so" != "$sn" ]; then
    # The one intended change: a partial result (warnings printed) exits 3 where it exited 0.
    if [ "$so" = 0 ] && [ "$sn" = 3 ] && [ -s "$n.err" ]; then
      echo "exit $so -> $sn (partial, warned)  $name"
    else
      what+=("exit $so -> $sn")
    fi
  fi
  if [ ${#what[@]} -gt 0 ]; then
    echo "DIFFERS (${what[*]}): $name: corewalk $*"
    fail=1
  fi
}

for core in "${cores[@]}"; do
  tag=$(basename "$(dirname "$core")")
  run "$tag/info" info "$core"
  run "$tag/info.json" info "$core" --json
  run "$tag/stack" stack "$core" --args
  run "$tag/stack.json" stack "$core" --json --args
  case "$tag" in *-abort) continue ;; esac
  class=$(pick "$core")
  run "$tag/analyze" analyze "$core" -q
  run "$tag/analyze.json" analyze "$core" --json -q --sort count
  run "$tag/analyze-retained.json" analyze "$core" --json -q --retained
  run "$tag/objects.json" objects "$core" --class "$class" --json --limit 20
  run "$tag/objects" objects "$core" --class "$class" --limit 5
  addr=$("$old" objects "$core" --class "$class" --json --limit 1 2>/dev/null |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["objects"][0]["address"] if r["objects"] else "0x8")' || echo 0x8)
  run "$tag/inspect.json" inspect "$core" "$addr" --json
  run "$tag/inspect" inspect "$core" "$addr"
  run "$tag/refs.json" refs "$core" "$addr" --json -q
  run "$tag/retainers.json" retainers "$core" --class "$class" --json -q
  run "$tag/retainers" retainers "$core" --class "$class" -q
  # Both write the same path (it is in the output); the files are moved aside and compared.
  snap="$work/out/snap.heapsnapshot"
  run "$tag/snapshot.json" snapshot "$core" -o "$snap" --json -q
  run "$tag/snapshot-all.json" snapshot "$core" -o "$snap" --json -q --include-unreachable
  snap=
done
run leak/diff.json diff "$leak/core.a" "$leak/core.b" --json -q
run leak/diff diff "$leak/core.a" "$leak/core.b" -q
run leak/diff-v8.json diff "$leak/a.heapsnapshot" "$leak/b.heapsnapshot" --json -q
run leak/retainers retainers "$leak/core.b" --class Date -q
run leak/analyze-retained analyze "$leak/core.b" --retained -q
# Bad input: a core cut in its heap, and one with a page of random bytes.
cut="$work/cores/cut.core"
[ -s "$cut" ] || head -c $(( $(stat -c %s "${cores[0]}") * 2 / 3 )) "${cores[0]}" >"$cut"
for c in info analyze stack; do run "cut/$c" "$c" "$cut" --node "$(head -n 1 "$(dirname "${cores[0]}")/node.txt")" -q; done
echo "compared $(find "$work/out/new" -name '*.out' | wc -l) outputs of ${#cores[@]} cores and a leak pair"
[ $fail = 0 ] && echo "same output" || echo "outputs differ"
exit $fail
