#!/usr/bin/env bash
# Benchmark corewalk on a core of a big heap against baselines measured in the same run.
# Usage: scripts/bench.sh [node-major (default 22)] [heap MB (default 1024)]
# The core is built once (testdata/big.js under scripts/make-core.sh) and cached in
# ~/.cache/corewalk/bench/; it is never committed. Env: BENCH_RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-22}
mb=${2:-1024}
runs=${BENCH_RUNS:-3}
cache=${COREWALK_BENCH_DIR:-$HOME/.cache/corewalk/bench}/big-$major-${mb}mb
node=$(scripts/fetch-node.sh "$([ "$major" = 20 ] && echo system || echo "$major")")
cargo build --release --quiet
bin=target/release/corewalk
if [ ! -s "$cache/core" ]; then
  echo "bench: building a core of a ${mb} MB heap under Node $major in $cache" >&2
  mkdir -p "$cache"
  BIG_MB=$mb COREWALK_SNAPSHOT=${BENCH_V8_SNAPSHOT:-0} COREWALK_READY_TIMEOUT=1800 \
    scripts/make-core.sh "$node" testdata/big.js "$cache" --max-old-space-size=$((mb * 3))
fi
core=$cache/core
python3 - "$core" "$bin" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
core, bin, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def measure(argv):
    """Wall time, CPU time and peak RSS of one run (RSS of the child, from wait4)."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t
    if status != 0 and os.WEXITSTATUS(status) not in (0, 3):
        sys.exit(f"bench: {argv} failed with status {status}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024

def median_of(argv):
    rs = [measure(argv) for _ in range(runs)]
    return tuple(statistics.median(x[i] for x in rs) for i in range(3))

size = os.path.getsize(core)
cat = ["cat", core]
subprocess.run(cat, stdout=subprocess.DEVNULL)          # warm the page cache
base = median_of(["sh", "-c", f"cat '{core}' > /dev/null"])
rows = [("cat core > /dev/null (warm)", base)]
rows.append(("corewalk analyze", median_of([bin, "-q", "analyze", core, "--json"])))
heap = None
info = subprocess.run([bin, "info", core, "--json"], capture_output=True, text=True)
try:
    import json
    heap = json.loads(info.stdout)["heap"]["total_used"]
except Exception:
    pass
cpus = os.cpu_count()
print(f"core {core}: {size / 2**30:.2f} GiB file, live heap {heap / 2**30 if heap else float('nan'):.2f} GiB; "
      f"{cpus} CPUs; median of {runs} runs")
print(f"{'command':32} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'wall / cat':>11} {'RSS / heap':>11}")
for name, (wall, cpu, rss) in rows:
    ratio = wall / base[0] if base[0] > 0 else float('nan')
    rss_ratio = rss / heap if heap else float('nan')
    print(f"{name:32} {wall:8.2f} {cpu:8.2f} {rss / 2**20:13.0f} {ratio:11.2f} {rss_ratio:11.2f}")
PY
