'use strict';
// A web application under real HTTP load: express 5 with express-session (MemoryStore), cookie-parser
// and an lru-cache, on 127.0.0.1:0. The same process drives a few thousand requests through a
// keep-alive http.Agent (25 sockets): JSON bodies, query strings, route params, a RegExp route,
// per-session data, cached lookups. Once every request has finished, ready() is called while the
// server still listens and the keep-alive sockets are still open.
const http = require('http');
const express = require('express');
const session = require('express-session');
const cookieParser = require('cookie-parser');
const { LRUCache } = require('lru-cache');
const { ready, rng } = require('./common');

const USERS = 400;
const REQUESTS_PER_USER = 10; // login + 9 more
const SOCKETS = 25;
const random = rng(20240611);

// ---- the application -------------------------------------------------------------------------
class Product {
  constructor(id) {
    this.id = id;
    this.name = `product-${id}`;
    this.category = ['books', 'games', 'garden', 'music', 'tools'][id % 5];
    this.price = Math.round(random() * 10000) / 100;
    this.stock = random.int(100);
    this.tags = ['new', 'sale', 'popular', 'eco'].filter(() => random() < 0.4);
  }
}
const catalog = new Map();
for (let i = 1; i <= 2000; i++) catalog.set(i, new Product(i));

const cache = new LRUCache({ max: 500, ttl: 10 * 60 * 1000, updateAgeOnGet: true });
const store = new session.MemoryStore();
const stats = { served: 0, byRoute: Object.create(null), cacheHits: 0, cacheMisses: 0, errors: 0 };

const app = express();
app.disable('x-powered-by');
app.use(cookieParser('cookie-secret-corewalk'));
app.use(express.json({ limit: '100kb' }));
app.use(express.urlencoded({ extended: true }));
app.use(
  session({
    secret: 'session-secret-corewalk',
    name: 'sid',
    store,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, maxAge: 3600 * 1000 },
  }),
);
app.use(function countRequests(req, res, next) {
  stats.served++;
  res.on('finish', () => {
    const key = `${req.method} ${req.route ? String(req.route.path) : 'unmatched'}`;
    stats.byRoute[key] = (stats.byRoute[key] || 0) + 1;
  });
  next();
});

function cached(key, compute) {
  let v = cache.get(key);
  if (v === undefined) {
    stats.cacheMisses++;
    v = compute();
    cache.set(key, v);
  } else {
    stats.cacheHits++;
  }
  return v;
}

app.post('/api/login', function login(req, res) {
  const { user, prefs } = req.body || {};
  if (!user) return res.status(400).json({ error: 'user required' });
  req.session.user = { name: user, prefs: prefs || {}, loggedInAt: new Date(1700000000000) };
  req.session.cart = [];
  req.session.history = [];
  res.cookie('theme', (prefs && prefs.theme) || 'light', { signed: true });
  res.json({ ok: true, user });
});

app.get('/api/products', function list(req, res) {
  const page = Math.max(1, parseInt(req.query.page, 10) || 1);
  const category = req.query.category || 'all';
  const sort = req.query.sort === 'price' ? 'price' : 'id';
  const body = cached(`list:${category}:${sort}:${page}`, () => {
    let items = [...catalog.values()];
    if (category !== 'all') items = items.filter((p) => p.category === category);
    if (sort === 'price') items.sort((a, b) => a.price - b.price);
    return { page, total: items.length, items: items.slice((page - 1) * 20, page * 20) };
  });
  if (req.session.history) req.session.history.push(`list ${category} ${page}`);
  res.json(body);
});

app.get('/api/products/:id', function show(req, res) {
  const id = Number(req.params.id);
  const p = catalog.get(id);
  if (!p) return res.status(404).json({ error: 'no such product', id });
  const body = cached(`product:${id}`, () => ({ ...p, related: [1, 2, 3].map((k) => ((id + k * 37) % 2000) + 1) }));
  if (req.session.history) req.session.history.push(`show ${id}`);
  res.json(body);
});

app.post('/api/cart/:id', function addToCart(req, res) {
  const id = Number(req.params.id);
  if (!req.session.cart) return res.status(401).json({ error: 'login first' });
  const qty = (req.body && req.body.qty) || 1;
  req.session.cart.push({ id, qty, note: req.body && req.body.note, at: 1700000000000 + req.session.cart.length });
  res.status(201).json({ items: req.session.cart.length });
});

// A RegExp route: /reports/2024-03 and the like.
app.get(/^\/reports\/(\d{4})-(\d{2})$/, function report(req, res) {
  const year = Number(req.params[0]);
  const month = Number(req.params[1]);
  const body = cached(`report:${year}-${month}`, () => {
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return { year, month, days, sales: Array.from({ length: days }, (_, d) => (year * 31 + month * 7 + d) % 97) };
  });
  res.json(body);
});

app.get('/api/me', function me(req, res) {
  if (!req.session.user) return res.status(401).json({ error: 'not logged in' });
  res.json({ user: req.session.user, cart: req.session.cart.length, theme: req.signedCookies.theme });
});

app.use(function notFound(req, res) {
  res.status(404).json({ error: 'not found', path: req.path });
});
app.use(function onError(err, req, res, next) {
  stats.errors++;
  res.status(500).json({ error: String(err && err.message) });
});

// ---- the load ----------------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: SOCKETS, maxFreeSockets: SOCKETS });

function request(port, method, path, { body, cookies } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const headers = { accept: 'application/json' };
    if (data) Object.assign(headers, { 'content-type': 'application/json', 'content-length': data.length });
    if (cookies && cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks = [];
      for (const c of res.headers['set-cookie'] || []) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        if (cookies) cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function user(port, n, results) {
  const cookies = new Map();
  const r = rng(1000 + n);
  const themes = ['light', 'dark', 'solarized'];
  results.push(await request(port, 'POST', '/api/login', {
    body: { user: `user${n}`, prefs: { theme: themes[n % 3], lang: n % 2 ? 'en' : 'de' } },
    cookies,
  }));
  for (let i = 1; i < REQUESTS_PER_USER; i++) {
    let res;
    switch ((n + i) % 6) {
      case 0:
        res = await request(port, 'GET', `/api/products?page=${1 + r.int(5)}&category=${r.pick(['all', 'books', 'games', 'tools'])}&sort=${r() < 0.5 ? 'price' : 'id'}`, { cookies });
        break;
      case 1:
        res = await request(port, 'GET', `/api/products/${1 + r.int(300)}`, { cookies });
        break;
      case 2:
        res = await request(port, 'POST', `/api/cart/${1 + r.int(2000)}`, { body: { qty: 1 + r.int(3), note: `gift for ${n}-${i}` }, cookies });
        break;
      case 3:
        res = await request(port, 'GET', `/reports/${2020 + r.int(5)}-${String(1 + r.int(12)).padStart(2, '0')}`, { cookies });
        break;
      case 4:
        res = await request(port, 'GET', '/api/me', { cookies });
        break;
      default:
        res = await request(port, 'GET', `/nowhere/${n}/${i}`, { cookies });
    }
    results.push(res);
  }
}

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const results = [];
  const t0 = Date.now();
  let nextUser = 0;
  const worker = async () => {
    while (nextUser < USERS) await user(port, nextUser++, results);
  };
  await Promise.all(Array.from({ length: SOCKETS }, worker));
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] || 0) + 1;
  const sessions = await new Promise((res, rej) => store.length((e, n) => (e ? rej(e) : res(n))));
  const connections = await new Promise((res, rej) => server.getConnections((e, n) => (e ? rej(e) : res(n))));
  const freeSockets = Object.values(agent.freeSockets).reduce((a, l) => a + l.length, 0);
  global.webWorkload = { app, server, agent, store, cache, catalog, stats, results };
  ready({
    workload: 'web',
    port,
    requests: results.length,
    served: stats.served,
    statuses,
    byRoute: stats.byRoute,
    sessions,
    cacheSize: cache.size,
    cacheHits: stats.cacheHits,
    cacheMisses: stats.cacheMisses,
    products: catalog.size,
    serverConnections: connections,
    agentFreeSockets: freeSockets,
    loadMs: Date.now() - t0,
  });
});
