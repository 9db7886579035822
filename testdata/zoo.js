'use strict';
// Many kinds of heap objects, with known counts of the workload's own classes.
const { ready } = require('./lib/harness');

class Session {
  constructor(id) {
    this.id = id;
    this.user = 'user-' + id;
    this.started = new Date(1700000000000 + id);
  }
}
class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}
class Node3 {
  constructor(v, next) {
    this.value = v;
    this.next = next;
  }
}
class CustomError extends Error {}

const N = { sessions: 1234, points: 777, list: 500, errors: 33, closures: 250, dicts: 120 };
const sessions = [];
for (let i = 0; i < N.sessions; i++) sessions.push(new Session(i));
const points = [];
for (let i = 0; i < N.points; i++) points.push(new Point(i, i * 0.5));
let list = null;
for (let i = 0; i < N.list; i++) list = new Node3(i, list);
const errors = [];
for (let i = 0; i < N.errors; i++) errors.push(new CustomError('bad ' + i));

// Closures over a shared context, with names.
function makeCounter(start) {
  let count = start;
  return function counter() {
    return ++count;
  };
}
const closures = [];
for (let i = 0; i < N.closures; i++) closures.push(makeCounter(i));
const arrows = Array.from({ length: 40 }, (_, i) => () => i);

// Arrays of every elements kind.
const smis = [1, 2, 3, 4, 5];
const doubles = [1.5, 2.5, 3.5];
const holey = [1, , 3];
holey[10] = 7;
const holeyDoubles = [1.1, , 3.3];
const objs = [{ a: 1 }, { b: 2 }];
const sparse = [];
sparse[100000] = 'far';
const big = new Array(5000).fill(0).map((_, i) => i * 2);

// Maps, Sets, weak collections.
const map = new Map();
for (let i = 0; i < 300; i++) map.set('k' + i, { v: i });
const set = new Set(Array.from({ length: 200 }, (_, i) => i));
const weakKeys = sessions.slice(0, 50);
const wm = new WeakMap(weakKeys.map((k) => [k, { meta: k.id }]));
const ws = new WeakSet(weakKeys);

// Typed arrays, ArrayBuffers, Buffers.
const u8 = new Uint8Array(4096).fill(1);
const f64 = new Float64Array(512).fill(Math.PI);
const ab = new ArrayBuffer(65536);
const dv = new DataView(ab);
const bufs = Array.from({ length: 20 }, (_, i) => Buffer.from('buffer number ' + i));

// BigInts, symbols, regexps, numbers.
const bigints = Array.from({ length: 30 }, (_, i) => 2n ** BigInt(64 + i));
const symbols = Array.from({ length: 25 }, (_, i) => Symbol('sym' + i));
const regexps = Array.from({ length: 15 }, (_, i) => new RegExp('ab+c' + i, 'gi'));
const heapNumbers = Array.from({ length: 100 }, (_, i) => ({ n: i + 0.25 }));

// Strings in every representation.
const seq = 'sequential one-byte string';
const twoByte = 'two-byte \u4e16\u754c string ' + Date.now();
let cons = 'left part of a cons string ';
for (let i = 0; i < 20; i++) cons = cons + 'piece ' + i + ' ';
const longBase = 'x'.repeat(2000) + Date.now();
const sliced = longBase.substring(10, 1500);
const internalizedKey = { ['dynamic_' + 'key']: 1 };
const extStr = require('fs').readFileSync(__filename, 'latin1');

// Dictionary-mode objects (many deletes / many properties).
const dicts = [];
for (let i = 0; i < N.dicts; i++) {
  const o = { a: 1, b: 2, c: 3 };
  for (let j = 0; j < 40; j++) o['p' + j] = j;
  delete o.a;
  dicts.push(o);
}

// Promises, pending and settled; a deep structure.
const pending = Array.from({ length: 10 }, () => new Promise(() => {}));
const settled = Array.from({ length: 10 }, (_, i) => Promise.resolve(i));
let deep = { level: 0 };
for (let i = 1; i < 200; i++) deep = { level: i, child: deep };
const dates = Array.from({ length: 60 }, (_, i) => new Date(i * 86400000));

globalThis.zoo = {
  sessions, points, list, errors, closures, arrows, smis, doubles, holey, holeyDoubles, objs, sparse,
  big, map, set, wm, ws, u8, f64, ab, dv, bufs, bigints, symbols, regexps, heapNumbers, seq, twoByte,
  cons, sliced, internalizedKey, extStr, dicts, pending, settled, deep, dates,
};
ready({ counts: N });
