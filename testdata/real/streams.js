'use strict';
// Streams and file I/O: csv-stringify writes 30,000 seeded rows to a CSV file in a temporary directory,
// zlib gzips it through stream.pipeline, then fs → gunzip → csv-parse → a Transform → an object sink reads
// it back, and the rows are kept. At ready() a few streams and file handles are left open: a paused
// ReadStream mid-file, a WriteStream with data written, an fs.promises FileHandle, a PassThrough holding
// buffered chunks, and a gzip stream mid-way. (The files are unlinked first: the open handles keep them.)
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { pipeline, Transform, Writable, PassThrough, Readable } = require('stream');
const { promisify } = require('util');
const { stringify } = require('csv-stringify');
const { parse } = require('csv-parse');
const { ready, rng } = require('./common');

const pipe = promisify(pipeline);
const ROWS = 30000;
const random = rng(7);
const t0 = Date.now();

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corewalk-streams-'));
  const csvFile = path.join(dir, 'sales.csv');
  const gzFile = path.join(dir, 'sales.csv.gz');

  // 1. Generate rows as a Readable, stringify to CSV, write the file.
  let produced = 0;
  const products = ['apple', 'banana', 'cherry', 'date', 'elderberry', 'fig', 'grape'];
  const source = new Readable({
    objectMode: true,
    read() {
      for (let k = 0; k < 200 && produced < ROWS; k++) {
        produced++;
        this.push({
          id: produced,
          product: random.pick(products),
          region: random.pick(['north', 'south', 'east', 'west']),
          qty: 1 + random.int(50),
          price: (random() * 20).toFixed(2),
          date: new Date(Date.UTC(2024, random.int(12), 1 + random.int(28))).toISOString().slice(0, 10),
          comment: random() < 0.1 ? `says "hi", ok; row ${produced}` : '',
        });
      }
      if (produced >= ROWS) this.push(null);
    },
  });
  await pipe(source, stringify({ header: true, columns: ['id', 'product', 'region', 'qty', 'price', 'date', 'comment'] }), fs.createWriteStream(csvFile));
  const csvBytes = fs.statSync(csvFile).size;

  // 2. Gzip it.
  await pipe(fs.createReadStream(csvFile), zlib.createGzip({ level: 6 }), fs.createWriteStream(gzFile));
  const gzBytes = fs.statSync(gzFile).size;

  // 3. Read it back: gunzip → csv-parse → transform → sink.
  const rows = [];
  const totals = new Map();
  const enrich = new Transform({
    objectMode: true,
    transform(row, _enc, cb) {
      const total = Math.round(row.qty * row.price * 100) / 100;
      totals.set(row.product, (totals.get(row.product) || 0) + total);
      cb(null, { ...row, total, month: row.date.slice(0, 7) });
    },
  });
  const sink = new Writable({
    objectMode: true,
    write(row, _enc, cb) {
      rows.push(row);
      cb();
    },
  });
  await pipe(
    fs.createReadStream(gzFile),
    zlib.createGunzip(),
    parse({ columns: true, cast: (v, ctx) => (ctx.column === 'id' || ctx.column === 'qty' ? Number(v) : v) }),
    enrich,
    sink,
  );

  // 4. Streams and handles left open at ready().
  const open = {};
  open.reader = fs.createReadStream(csvFile, { highWaterMark: 4096 });
  await new Promise((resolve) => open.reader.once('readable', resolve));
  open.firstChunk = open.reader.read(1024);
  open.reader.pause();
  open.writer = fs.createWriteStream(path.join(dir, 'log.txt'), { flags: 'a' });
  for (let i = 0; i < 100; i++) open.writer.write(`line ${i} of the open log\n`);
  await new Promise((resolve) => open.writer.write('flushed\n', resolve));
  open.handle = await fs.promises.open(gzFile, 'r');
  const head = Buffer.alloc(64);
  await open.handle.read(head, 0, 64, 0);
  open.head = head;
  open.passThrough = new PassThrough({ highWaterMark: 1 << 20 });
  for (let i = 0; i < 50; i++) open.passThrough.write(Buffer.from(`buffered chunk ${i}\n`.repeat(20)));
  open.gzip = zlib.createGzip();
  open.gzip.write('a gzip stream that never ends\n'.repeat(1000));
  await new Promise((resolve) => open.gzip.flush(resolve));
  open.gzipOut = open.gzip.read();
  for (const f of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, f));
  fs.rmdirSync(dir);

  global.streamsWorkload = { rows, totals, open };
  ready({
    workload: 'streams',
    rows: rows.length,
    csvBytes,
    gzBytes,
    products: totals.size,
    withComment: rows.filter((r) => r.comment).length,
    passThroughBuffered: open.passThrough.readableLength,
    ms: Date.now() - t0,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
