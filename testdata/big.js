'use strict';
// A big heap for benchmarks: about BIG_MB megabytes (default 1024) of small live objects with
// strings, numbers and arrays, in records of a few classes.
const { ready } = require('./lib/harness');

class Record {
  constructor(i) {
    this.id = i;
    this.name = 'item-' + i;
    this.value = i * 0.5;
    this.tags = [i & 7, (i >> 3) & 7];
  }
}
class Bucket {
  constructor(n) {
    this.items = [];
    this.label = 'bucket ' + n;
  }
}

const targetBytes = Number(process.env.BIG_MB || 1024) * 1024 * 1024;
const buckets = [];
let bucket = null;
let n = 0;
// Grow until V8 says the heap holds the target (checked every 100k records).
for (;;) {
  if (n % 1000 === 0) {
    bucket = new Bucket(buckets.length);
    buckets.push(bucket);
  }
  bucket.items.push(new Record(n));
  n++;
  if (n % 100000 === 0 && process.memoryUsage().heapUsed >= targetBytes) break;
}
globalThis.big = buckets;
ready({ records: n, buckets: buckets.length });
