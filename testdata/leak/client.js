'use strict';
// Drive requests at the leak server: node client.js PORT COUNT [SNAPSHOT_NAME]
// COUNT requests to /item/<i>, one at a time, then (if named) GET /snapshot/NAME.
const http = require('http');
const [port, count, snapshot] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

(async () => {
  for (let i = 0; i < count; i++) await get(`/item/${i}`);
  if (snapshot) await get(`/snapshot/${snapshot}`);
  agent.destroy();
})();
