#!/usr/bin/env bash
# Benchmark corewalk on a core of a big heap against baselines measured in the same run.
# Usage: scripts/bench.sh [node-major (default 22)] [heap MB (default 1024)]
#
# The core is built once (testdata/big.js under scripts/make-core.sh) and cached in
# ~/.cache/corewalk/bench/; it is never committed. Each run then measures:
#   - one sequential read of the core from a warm page cache (`cat`), the baseline of `analyze`;
#   - V8's own `v8.writeHeapSnapshot()` of the same workload (testdata/big.js run again to the same
#     heap: the harness times the call), the baseline of `snapshot`;
#   - llnode's `v8 findjsobjects` on the core, when lldb with llnode is installed;
#   - `corewalk analyze`, and `corewalk snapshot` both to a file (each run starts without an
#     earlier output to replace and with dirty pages synced, untimed, as a single run would) and
#     to /dev/null (the work without the disk's).
# Wall and CPU time and peak RSS come from wait4; peak anonymous RSS (the memory corewalk itself
# allocates, the mapped core aside) from sampling /proc/PID/status. Each command runs BENCH_RUNS
# times (default 3); the table shows medians. Env: BENCH_V8=0 skips V8's snapshot (several
# minutes for 1 GB); COREWALK_BENCH_DIR moves the cache; BENCH_OUT is where snapshots are written
# (default: next to the core; they are deleted).
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-22}
mb=${2:-1024}
runs=${BENCH_RUNS:-3}
cache=${COREWALK_BENCH_DIR:-$HOME/.cache/corewalk/bench}/big-$major-${mb}mb
node=$(scripts/fetch-node.sh "$([ "$major" = 20 ] && echo system || echo "$major")")
cargo build --release --quiet
bin=$PWD/target/release/corewalk
if [ ! -s "$cache/core" ]; then
  echo "bench: building a core of a ${mb} MB heap under Node $major in $cache" >&2
  mkdir -p "$cache"
  BIG_MB=$mb COREWALK_SNAPSHOT=0 COREWALK_READY_TIMEOUT=1800 \
    scripts/make-core.sh "$node" testdata/big.js "$cache" --max-old-space-size=$((mb * 3))
fi

# V8's own snapshot of the same workload, timed by the harness (testdata/lib/harness.js).
v8_ms=""
if [ "${BENCH_V8:-1}" != 0 ]; then
  v8dir=$(mktemp -d "${BENCH_OUT:-$cache}/v8.XXXXXX")
  echo "bench: timing V8's writeHeapSnapshot on the same workload (Node $major, ${mb} MB)" >&2
  BIG_MB=$mb COREWALK_OUT="$v8dir" "$node" --max-old-space-size=$((mb * 3)) testdata/big.js \
    >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 3600); do
    [ -f "$v8dir/live.json" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -f "$v8dir/live.json" ]; then
    v8_ms=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshotMs"])' "$v8dir/live.json")
  fi
  rm -rf "$v8dir"
fi

# llnode, when installed: lldb with the plugin (`llnode` from npm wraps lldb).
llnode=$(command -v llnode || true)

python3 - "$cache" "$bin" "$runs" "$node" "$v8_ms" "$llnode" "${BENCH_OUT:-$cache}" <<'PY'
import json, os, statistics, subprocess, sys, threading, time
cache, bin, runs, node, v8_ms, llnode, out_dir = sys.argv[1:8]
runs = int(runs)
core = os.path.join(cache, "core")

def measure(argv):
    """Wall, CPU, peak RSS (wait4) and peak anonymous RSS (sampled) of one run."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_anon = [0]
    def sample():
        while True:
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            peak_anon[0] = max(peak_anon[0], int(line.split()[1]) * 1024)
            except OSError:
                return
            time.sleep(0.005)
    s = threading.Thread(target=sample, daemon=True)
    s.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code not in (0, 3):
        sys.exit(f"bench: {argv} failed with status {status}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024, peak_anon[0]

def median_of(argv, n=runs, before=None):
    rs = []
    for _ in range(n):
        if before:
            before()
        rs.append(measure(argv))
    return tuple(statistics.median(x[i] for x in rs) for i in range(4))

live = json.load(open(os.path.join(cache, "live.json")))
heap = live["heapStatistics"]["used_heap_size"]
size = os.path.getsize(core)
subprocess.run(["cat", core], stdout=subprocess.DEVNULL)  # warm the page cache
cat = median_of(["sh", "-c", f"cat '{core}' > /dev/null"])
rows = []
rows.append(("cat core > /dev/null (warm)", cat, None, None))
analyze = median_of([bin, "-q", "analyze", core, "--json"])
rows.append(("corewalk analyze", analyze, cat[0], "cat"))
snap_out = os.path.join(out_dir, "bench.heapsnapshot")
def fresh_output():
    """Each run as a single run would be (untimed): no earlier output to replace, and no dirty
    pages of one waiting to be written back."""
    if os.path.exists(snap_out):
        os.remove(snap_out)
    subprocess.run(["sync"])
snapshot = median_of([bin, "-q", "snapshot", core, "-o", snap_out], before=fresh_output)
snap_bytes = os.path.getsize(snap_out) if os.path.exists(snap_out) else 0
to_null = median_of([bin, "-q", "snapshot", core, "-o", "/dev/null"])
if os.path.exists(snap_out):
    os.remove(snap_out)
v8 = float(v8_ms) / 1000 if v8_ms not in ("", "None") else None
if v8 is not None:
    rows.append(("V8 writeHeapSnapshot (in process)", (v8, float("nan"), 0, 0), None, None))
rows.append(("corewalk snapshot", snapshot, v8, "V8"))
rows.append(("corewalk snapshot -o /dev/null", to_null, v8, "V8"))
if llnode:
    ll = median_of([llnode, node, "-c", core, "-b", "-o", "v8 findjsobjects"], 1)
    rows.append(("llnode v8 findjsobjects", ll, None, None))

print(f"core {core}: {size / 2**30:.2f} GiB file; live heap {heap / 2**30:.2f} GiB "
      f"(V8's used_heap_size); Node {live['versions']['node']}; {os.cpu_count()} CPUs; "
      f"median of {runs} runs; snapshot file {snap_bytes / 2**30:.2f} GiB")
print(f"{'command':36} {'wall s':>8} {'cpu s':>8} {'peak RSS MiB':>13} {'anon RSS MiB':>13} "
      f"{'anon / heap':>12} {'wall / baseline':>16}")
for name, (wall, cpu, rss, anon), base, base_name in rows:
    ratio = f"{wall / base:.3f} ({base_name})" if base else ""
    cpu_s = f"{cpu:8.2f}" if cpu == cpu else f"{'':>8}"
    rss_s = f"{rss / 2**20:13.0f}" if rss else f"{'':>13}"
    anon_s = f"{anon / 2**20:13.0f}" if anon else f"{'':>13}"
    anon_ratio = f"{anon / heap:12.2f}" if anon else f"{'':>12}"
    print(f"{name:36} {wall:8.2f} {cpu_s} {rss_s} {anon_s} {anon_ratio} {ratio:>16}")
if not llnode:
    print("llnode: not installed (lldb + `npm install -g llnode`); no column")
if v8 is None:
    print("V8 writeHeapSnapshot: not measured (BENCH_V8=0 or the workload did not get ready)")
PY
