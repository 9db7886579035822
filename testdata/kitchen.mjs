// An ES module with language features the other workloads lack: module scope, private fields,
// static blocks, generators, async functions, proxies, WeakRef/FinalizationRegistry, getters,
// symbols as keys, frozen and sealed objects, typed array views, Intl, errors with causes.
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
const require = createRequire(import.meta.url);
const { ready } = require('./lib/harness');

export class Account {
  #balance = 0;
  static count = 0;
  static { Account.registry = new Map(); }
  constructor(owner) { this.owner = owner; Account.count++; Account.registry.set(owner, this); }
  deposit(n) { this.#balance += n; return this.#balance; }
  get balance() { return this.#balance; }
}
const accounts = Array.from({ length: 321 }, (_, i) => new Account('owner-' + i));
accounts.forEach((a, i) => a.deposit(i));

function* counter(n) { for (let i = 0; i < n; i++) yield i; }
const gens = Array.from({ length: 40 }, (_, i) => { const g = counter(10 + i); g.next(); return g; });
async function later(v) { await null; return v; }
const asyncs = Array.from({ length: 30 }, (_, i) => later(i));
const proxies = Array.from({ length: 25 }, (_, i) => new Proxy({ i }, { get: (t, k) => t[k] }));
const refs = accounts.slice(0, 20).map((a) => new WeakRef(a));
const registry = new FinalizationRegistry(() => {});
accounts.slice(0, 10).forEach((a) => registry.register(a, a.owner));
const tag = Symbol('tag');
const tagged = Array.from({ length: 15 }, (_, i) => ({ [tag]: i, [Symbol.toStringTag]: 'Tagged' }));
const frozen = Object.freeze({ a: 1, b: [1, 2, 3] });
const sealed = Object.seal({ c: 'x' });
const buf = new ArrayBuffer(1024);
const views = [new Int16Array(buf, 0, 16), new Float32Array(buf, 64, 8), new DataView(buf, 128)];
const fmt = new Intl.NumberFormat('en-US');
const errs = Array.from({ length: 12 }, (_, i) => new Error('outer ' + i, { cause: new RangeError('inner') }));
const emitter = new EventEmitter();
for (let i = 0; i < 7; i++) emitter.on('tick', () => i);
const nested = new Map([[1, new Set([1, 2])], [2, new Map([['a', []]])]]);
const big = 12345678901234567890123456789n;

globalThis.kitchen = { accounts, gens, asyncs, proxies, refs, registry, tagged, frozen, sealed, views, fmt, errs, emitter, nested, big };
ready({ counts: { accounts: 321, generators: 40, proxies: 25, tagged: 15 } });
