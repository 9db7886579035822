'use strict';
// A small workload with a few kinds of objects; the demo and the `info` tests use it.
const { ready } = require('./lib/harness');

class Session {
  constructor(id) {
    this.id = id;
    this.user = 'user-' + id;
    this.started = new Date(1700000000000 + id * 1000);
    this.tags = ['a', 'b', id % 7];
  }
}

const sessions = [];
for (let i = 0; i < 5000; i++) sessions.push(new Session(i));
const byId = new Map(sessions.map((s) => [s.id, s]));
const blob = Buffer.alloc(1 << 20, 7);
globalThis.keep = { sessions, byId, blob };
ready({ sessions: sessions.length });
