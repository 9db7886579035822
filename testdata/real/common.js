'use strict';
// Shared by the real-program workloads: a seeded PRNG, and ready(), which wraps testdata/lib/harness.js.
const inspector = require('inspector');
const harness = require('../lib/harness');

/** A seeded PRNG (mulberry32), so every workload builds the same data on every run and Node version. */
function rng(seed) {
  let a = seed >>> 0;
  const next = function random() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  return next;
}

/**
 * harness.ready(extra), after starting and stopping V8's CPU profiler once. Starting the profiler makes
 * V8 compute every script's line ends; without them Node 20's V8 writes a heap snapshot in time
 * proportional to (functions × script size), minutes for a process that loaded typescript.js (a 9 MB
 * script). Done under every Node version so the heaps stay alike.
 */
function ready(extra) {
  const session = new inspector.Session();
  session.connect();
  for (const m of ['Profiler.enable', 'Profiler.start', 'Profiler.stop', 'Profiler.disable']) session.post(m);
  session.disconnect();
  harness.ready(extra);
}

module.exports = { rng, ready };
