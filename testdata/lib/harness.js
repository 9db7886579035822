'use strict';
// Test harness shared by the workloads: record what the live process says about itself, write V8's own
// heap snapshot, then freeze without allocating so scripts/make-core.sh can take a core.
// Output directory: $COREWALK_OUT (default: cwd). Set COREWALK_SNAPSHOT=0 to skip the V8 snapshot.
const fs = require('fs');
const path = require('path');
const v8 = require('v8');

function spaces() {
  return v8.getHeapSpaceStatistics().map((s) => ({
    name: s.space_name,
    size: s.space_size,
    used: s.space_used_size,
    available: s.space_available_size,
    physical: s.physical_space_size,
  }));
}

function writeAtomic(file, text) {
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
}

/** Declare the heap ready: snapshot, record, signal, freeze forever. `extra` lands in live.json. */
function ready(extra = {}) {
  const out = process.env.COREWALK_OUT || process.cwd();
  let snapshotMs = null;
  if (process.env.COREWALK_SNAPSHOT !== '0') {
    const t0 = process.hrtime.bigint();
    v8.writeHeapSnapshot(path.join(out, 'v8.heapsnapshot'));
    snapshotMs = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const info = {
    pid: process.pid,
    ppid: process.ppid,
    execPath: process.execPath,
    argv: process.argv,
    title: process.title,
    versions: process.versions,
    snapshotMs,
    heapStatistics: v8.getHeapStatistics(),
    spaces: spaces(),
    extra,
  };
  const sab = new SharedArrayBuffer(4);
  const cell = new Int32Array(sab);
  const text = JSON.stringify(info, null, 1);
  writeAtomic(path.join(out, 'live.json'), text);
  // Nothing allocates after this point: the main thread sleeps until the core is taken.
  for (;;) Atomics.wait(cell, 0, 0);
}

module.exports = { ready };
