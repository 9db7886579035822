'use strict';
// Suspended computation and accessors: 300 async functions awaiting promises that never resolve, 300
// async generators suspended at a yield (100 of them with a pending next()), 100 sync generators
// suspended mid-iteration, an rxjs pipeline (Subjects, BehaviorSubject, ReplaySubject, operators) with
// live subscriptions, a promise-based work queue with jobs pending, classes with getters/setters and
// static/private members, and objects with Object.defineProperty accessors. Everything stays alive.
const { Subject, BehaviorSubject, ReplaySubject, interval, merge } = require('rxjs');
const { map, filter, scan, bufferCount, distinctUntilChanged, takeUntil, share } = require('rxjs/operators');
const { ready, rng } = require('./common');

const random = rng(5);
const t0 = Date.now();

// ---- suspended async functions ------------------------------------------------------------------
const gates = []; // never resolved
const progress = { started: 0, passedFirstAwait: 0, finished: 0 };
class Job {
  constructor(id) {
    this.id = id;
    this.payload = { id, data: `job-${id}`, weights: [random(), random(), random()] };
  }
}
async function waitForever(job, gate) {
  progress.started++;
  const local = { job, startedAt: job.id * 10, label: `waiter-${job.id}` };
  await Promise.resolve();
  progress.passedFirstAwait++;
  const value = await gate; // suspended here for good
  progress.finished++;
  return [local, value];
}
const waiting = [];
for (let i = 0; i < 300; i++) {
  let resolve;
  const gate = new Promise((r) => (resolve = r));
  gates.push({ gate, resolve });
  waiting.push(waitForever(new Job(i), gate));
}

// ---- suspended async generators ------------------------------------------------------------------
async function* ticker(id, never) {
  let n = 0;
  const state = { id, seen: [] };
  while (true) {
    const got = yield { id, n: n++, state };
    state.seen.push(got);
    if (n > 2) await never;
  }
}
const generators = [];
const pendingNexts = [];
const never = new Promise(() => {});
async function driveGenerators() {
  for (let i = 0; i < 300; i++) {
    const g = ticker(i, never);
    await g.next(); // runs to the first yield
    if (i % 3 === 0) {
      await g.next('second');
      await g.next('third');
      pendingNexts.push(g.next('fourth')); // blocked at `await never` inside the generator
    }
    generators.push(g);
  }
}

// ---- suspended sync generators -------------------------------------------------------------------
function* fib(limit) {
  let [a, b] = [0, 1];
  for (let i = 0; i < limit; i++) {
    yield a;
    [a, b] = [b, a + b];
  }
}
const syncGenerators = Array.from({ length: 100 }, (_, i) => {
  const g = fib(1000);
  for (let k = 0; k < i % 17; k++) g.next();
  return g;
});

// ---- a promise work queue with pending jobs -------------------------------------------------------
class WorkQueue {
  #running = 0;
  #queue = [];
  constructor(concurrency) {
    this.concurrency = concurrency;
    this.done = 0;
  }
  get pending() {
    return this.#queue.length;
  }
  get running() {
    return this.#running;
  }
  add(task) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#next();
    });
  }
  #next() {
    while (this.#running < this.concurrency && this.#queue.length) {
      const { task, resolve, reject } = this.#queue.shift();
      this.#running++;
      Promise.resolve()
        .then(task)
        .then(resolve, reject)
        .finally(() => {
          this.#running--;
          this.done++;
          this.#next();
        });
    }
  }
}
const queue = new WorkQueue(4);
const queued = [];
for (let i = 0; i < 40; i++) queued.push(queue.add(async () => i * 2));
for (let i = 0; i < 60; i++) queued.push(queue.add(() => (i < 4 ? never : i))); // the first 4 block the queue

// ---- rxjs ----------------------------------------------------------------------------------------
const clicks = new Subject();
const prices = new BehaviorSubject(100);
const history = new ReplaySubject(50);
const stop = new Subject();
const received = { buffers: [], totals: [], distinct: [], merged: 0 };
const shared = clicks.pipe(map((c) => ({ ...c, score: c.x * c.y })), share());
const subscriptions = [
  shared.pipe(filter((c) => c.score % 2 === 0), bufferCount(10)).subscribe((b) => received.buffers.push(b)),
  shared.pipe(scan((acc, c) => acc + c.score, 0)).subscribe((t) => received.totals.push(t)),
  prices.pipe(distinctUntilChanged(), takeUntil(stop)).subscribe((p) => {
    received.distinct.push(p);
    history.next(p);
  }),
  merge(shared, prices).subscribe(() => received.merged++),
  interval(3600 * 1000).pipe(takeUntil(stop)).subscribe(() => {}), // a live timer subscription
];
for (let i = 0; i < 1000; i++) clicks.next({ x: random.int(100), y: random.int(100), i });
for (let i = 0; i < 200; i++) prices.next(100 + (i % 7));

// ---- accessors ----------------------------------------------------------------------------------
class Temperature {
  static #instances = 0;
  #celsius;
  constructor(c) {
    this.#celsius = c;
    Temperature.#instances++;
  }
  static get instances() {
    return Temperature.#instances;
  }
  get celsius() {
    return this.#celsius;
  }
  set celsius(v) {
    if (typeof v !== 'number') throw new TypeError('number expected');
    this.#celsius = v;
  }
  get fahrenheit() {
    return (this.#celsius * 9) / 5 + 32;
  }
  set fahrenheit(f) {
    this.#celsius = ((f - 32) * 5) / 9;
  }
}
class Account {
  constructor(owner) {
    this.owner = owner;
    this._balance = 0;
    this.log = [];
  }
  get balance() {
    return this._balance;
  }
  set balance(v) {
    this.log.push(v - this._balance);
    this._balance = v;
  }
}
const temperatures = Array.from({ length: 500 }, (_, i) => new Temperature(i - 100));
temperatures.forEach((t, i) => {
  if (i % 2) t.fahrenheit = t.fahrenheit + 1;
});
const accounts = Array.from({ length: 500 }, (_, i) => {
  const a = new Account(`owner${i}`);
  for (let k = 0; k < 5; k++) a.balance += k * i;
  return a;
});
const defined = Array.from({ length: 300 }, (_, i) => {
  const o = { id: i };
  let hidden = i * 3;
  Object.defineProperty(o, 'computed', { get() { return hidden + 1; }, set(v) { hidden = v - 1; }, enumerable: true, configurable: true });
  Object.defineProperty(o, 'readOnly', { get: () => `ro-${i}`, enumerable: false });
  Object.defineProperty(o, 'frozenValue', { value: i * i, writable: false, enumerable: true });
  if (i % 2) o.computed = 1000 + i;
  return o;
});
const proxied = new Proxy({ hits: 0 }, { get: (t, k) => (k in t ? t[k] : `missing:${String(k)}`) });

driveGenerators().then(() => {
  setImmediate(() => {
    global.asyncWorkload = { gates, waiting, generators, pendingNexts, syncGenerators, queue, queued, clicks, prices, history, stop, subscriptions, received, temperatures, accounts, defined, proxied };
    ready({
      workload: 'async',
      asyncFunctionsSuspended: waiting.length,
      progress,
      asyncGenerators: generators.length,
      pendingNexts: pendingNexts.length,
      syncGenerators: syncGenerators.length,
      queue: { pending: queue.pending, running: queue.running, done: queue.done },
      rx: { buffers: received.buffers.length, totals: received.totals.length, distinct: received.distinct.length, merged: received.merged, subscriptions: subscriptions.filter((s) => !s.closed).length },
      temperatures: Temperature.instances,
      accounts: accounts.length,
      definedAccessors: defined.length,
      sampleComputed: defined[1].computed,
      ms: Date.now() - t0,
    });
  });
});
