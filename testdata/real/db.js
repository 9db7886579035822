'use strict';
// An in-memory database: lokijs with three collections (unique and binary indexes), 100,000 inserts,
// indexed finds, chained queries with sort/limit, where-functions, updates and removes, dynamic views,
// a saved transform and an eq-join. The database stays alive.
const loki = require('lokijs');
const { ready, rng } = require('./common');

const random = rng(1234);
const t0 = Date.now();
const db = new loki('corewalk.db', { autosave: false, persistenceMethod: 'memory' });

const users = db.addCollection('users', { unique: ['email'], indices: ['age', 'city'] });
const orders = db.addCollection('orders', { indices: ['userId', 'status', 'total'] });
const events = db.addCollection('events', { indices: ['kind'], ttl: null });

const cities = ['Amsterdam', 'Bern', 'Cairo', 'Delhi', 'Essen', 'Faro', 'Graz', 'Hanoi'];
const statuses = ['new', 'paid', 'shipped', 'delivered', 'cancelled'];
const USERS = 20000;
const ORDERS = 60000;
const EVENTS = 20000;

for (let i = 1; i <= USERS; i++) {
  users.insert({
    uid: i,
    email: `user${i}@example.com`,
    name: `User ${i}`,
    age: 18 + random.int(60),
    city: random.pick(cities),
    address: { street: `${1 + random.int(200)} Main St`, zip: String(10000 + random.int(89999)) },
    vip: random() < 0.05,
  });
}
const orderBatch = [];
for (let i = 1; i <= ORDERS; i++) {
  const lines = Array.from({ length: 1 + random.int(4) }, () => ({ sku: `SKU-${random.int(500)}`, qty: 1 + random.int(5), price: Math.round(random() * 5000) / 100 }));
  orderBatch.push({
    oid: i,
    userId: 1 + random.int(USERS),
    status: random.pick(statuses),
    lines,
    total: Math.round(lines.reduce((s, l) => s + l.qty * l.price, 0) * 100) / 100,
    placed: Date.UTC(2024, 0, 1) + random.int(300) * 86400000,
  });
}
orders.insert(orderBatch); // batch insert
for (let i = 1; i <= EVENTS; i++) {
  events.insert({ kind: random.pick(['login', 'logout', 'view', 'search', 'error']), userId: 1 + random.int(USERS), at: i, payload: { q: `query ${i % 300}` } });
}

// Queries.
const q = {};
q.byEmail = users.by('email', 'user777@example.com');
q.adults30to40 = users.find({ age: { $between: [30, 40] } }).length;
q.inBern = users.find({ city: 'Bern' }).length;
q.vipsInHanoi = users.find({ $and: [{ city: 'Hanoi' }, { vip: true }] }).length;
q.bigPaid = orders.chain().find({ status: 'paid' }).find({ total: { $gt: 150 } }).simplesort('total', { desc: true }).limit(50).data();
q.ordersOfUser42 = orders.find({ userId: 42 }).length;
q.whereSku = orders.where((o) => o.lines.some((l) => l.sku === 'SKU-7')).length;
q.regexEmail = users.find({ email: { $regex: /^user12\d{2}@/ } }).length;
q.countsByStatus = Object.fromEntries(statuses.map((s) => [s, orders.count({ status: s })]));
q.mapReduce = orders.mapReduce((o) => o.total, (ts) => Math.round(ts.reduce((a, b) => a + b, 0)));
q.joined = orders
  .chain()
  .find({ status: 'delivered' })
  .limit(2000)
  .eqJoin(users.chain(), 'userId', 'uid', (l, r) => ({ oid: l.oid, total: l.total, city: r.city, name: r.name }))
  .data({ removeMeta: true });

// Updates and removes.
let updated = 0;
orders.findAndUpdate({ status: 'new' }, (o) => {
  o.status = 'paid';
  o.paidAt = o.placed + 3600000;
  updated++;
});
const vips = users.find({ vip: true });
for (const u of vips) {
  u.tier = 'gold';
  users.update(u);
}
events.findAndRemove({ kind: 'error' });
const removedUsers = users.find({ age: { $gt: 76 } });
users.remove(removedUsers);

// Dynamic views and a transform.
const paidView = orders.addDynamicView('paid');
paidView.applyFind({ status: 'paid' });
paidView.applySimpleSort('total', true);
const youngView = users.addDynamicView('young', { persistent: true });
youngView.applyFind({ age: { $lt: 25 } });
orders.addTransform('topN', [
  { type: 'find', value: { status: '[%lktxp]status' } },
  { type: 'simplesort', property: 'total', options: { desc: true } },
  { type: 'limit', value: '[%lktxp]n' },
]);
q.topShipped = orders.chain('topN', { status: 'shipped', n: 10 }).data();
// Inserting after the views exist keeps them up to date.
users.insert({ uid: USERS + 1, email: 'late@example.com', name: 'Late', age: 21, city: 'Faro', address: { street: '1 Late St', zip: '12345' }, vip: false });

global.dbWorkload = { db, users, orders, events, paidView, youngView, q };
ready({
  workload: 'db',
  collections: db.listCollections().map((c) => ({ name: c.name, count: c.count })),
  users: users.count(),
  orders: orders.count(),
  events: events.count(),
  updated,
  vips: vips.length,
  removedUsers: removedUsers.length,
  paidView: paidView.count(),
  youngView: youngView.data().length,
  adults30to40: q.adults30to40,
  inBern: q.inBern,
  bigPaid: q.bigPaid.length,
  joined: q.joined.length,
  countsByStatus: q.countsByStatus,
  revenue: q.mapReduce,
  ms: Date.now() - t0,
});
