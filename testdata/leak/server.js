'use strict';
// A server that leaks: every request is kept, with the time it came, in a module-level array.
// GET /snapshot/NAME writes V8's own heap snapshot to $COREWALK_OUT/NAME.heapsnapshot (the truth
// the tests compare with). The port is written to $COREWALK_OUT/port once listening.
const http = require('http');
const v8 = require('v8');
const fs = require('fs');
const path = require('path');

const out = process.env.COREWALK_OUT || process.cwd();
const requestLogs = [];

const server = http.createServer(function handleRequest(req, res) {
  if (req.url.startsWith('/snapshot/')) {
    v8.writeHeapSnapshot(path.join(out, req.url.slice('/snapshot/'.length) + '.heapsnapshot'));
    res.end('written\n');
    return;
  }
  requestLogs.push({ url: req.url, date: new Date() });
  res.end('logged\n');
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(out, 'port.tmp'), String(server.address().port));
  fs.renameSync(path.join(out, 'port.tmp'), path.join(out, 'port'));
});
