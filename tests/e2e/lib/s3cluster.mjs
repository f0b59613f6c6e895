// A test S3 for benchmarks: the same s3rver and SigV4 check as s3server.mjs, but served by several
// worker processes (node:cluster) so the server is not the bottleneck of a client that keeps 64
// requests in flight. Each worker checks signatures, delays every request by a fixed latency and
// hands it to its own s3rver, all of them on one directory. Requests without a body go straight
// into s3rver's request handler; those with one (uploads) are forwarded over HTTP, as in
// s3server.mjs, because s3rver reads the body from the request stream the check already drained.
// No faults here: the fault-injecting server of the tests is s3server.mjs.
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExtras } from './s3rver_fix.mjs';
import { verifySigV4 } from './s3server.mjs';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

function xmlError(res, status, code, message) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message><RequestId>lake-test</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const isList = (method, url) => method === 'GET' && /^\/[^/?]+\/?\?/.test(url) &&
  /[?&](list-type=|prefix=|delimiter=)/.test(url);

async function runWorker() {
  const { dir, secrets } = JSON.parse(process.env.LAKE_S3_WORKER);
  const s3rver = new S3rver({ silent: true, directory: dir });
  s3rver.middleware.shift(); // koa-logger: formats a line per request even when silent
  installExtras(s3rver);
  const handler = s3rver.callback();
  const backend = http.createServer(handler);
  await new Promise((resolve) => backend.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve));
  const backendPort = backend.address().port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats = { requests: 0, lists: 0, connections: 0, residenceMs: 0, byMethod: {} };
  let latency = 0;

  function forward(req, res, body) {
    const bad = verifySigV4(req, body, secrets);
    if (bad) { xmlError(res, 403, bad[0], bad[1]); return; }
    delete req.headers.authorization; // checked here; s3rver would only re-check the key id
    if (body.length === 0 && req.method !== 'PUT' && req.method !== 'POST') { handler(req, res); return; }
    const up = http.request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url,
      headers: req.headers, agent }, (upRes) => { res.writeHead(upRes.statusCode, upRes.headers); upRes.pipe(res); });
    up.on('error', () => req.socket.destroy());
    up.end(body);
  }
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    res.on('finish', () => { stats.residenceMs += performance.now() - t0; });
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      stats.byMethod[req.method] = (stats.byMethod[req.method] || 0) + 1;
      if (isList(req.method, req.url)) stats.lists++;
      const body = chunks.length ? Buffer.concat(chunks) : Buffer.alloc(0);
      if (latency > 0) setTimeout(() => forward(req, res, body), latency);
      else forward(req, res, body);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => { stats.connections++; });
  process.on('message', (m) => {
    if (m.cmd === 'stats') {
      const { user, system } = process.cpuUsage();
      process.send({ cmd: 'stats', id: m.id, stats: { ...stats, cpu: (user + system) / 1e6 } });
    }
    else if (m.cmd === 'latency') { latency = m.ms; process.send({ cmd: 'latency', id: m.id }); }
  });
  process.on('SIGINT', () => process.exit(0));
  server.listen(0, '127.0.0.1'); // cluster: every worker shares one port, the primary hands out connections
}

if (cluster.isWorker && process.env.LAKE_S3_WORKER) await runWorker();

/**
 * Starts `workers` server processes on one s3rver directory. Returns { endpoint, dir, backend,
 * stats() (a promise of { requests, lists, connections, cpu seconds, residenceMs (summed time from
 * request to reply, the delay included), byMethod, perWorker } summed over the workers), setLatency(ms)
 * (a promise), stop() }. backend is an s3rver in this process, for unsigned reads (backendList).
 */
export async function startS3Cluster({ buckets = ['lake'], secrets, workers = 2, latencyMs = 0 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lake-s3rver-'));
  const local = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir,
    configureBuckets: buckets.map((name) => ({ name })) });
  const { port: backendPort } = await local.run();
  // LAKE_S3_WORKER_ARGS: node options for the workers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const execArgv = (process.env.LAKE_S3_WORKER_ARGS || '').split(' ').filter(Boolean);
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), execArgv, silent: false });
  const env = { LAKE_S3_WORKER: JSON.stringify({ dir, secrets }) };
  const procs = [];
  let port = 0;
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork(env);
    procs.push(w);
    const addr = await new Promise((resolve, reject) => {
      w.once('listening', resolve);
      w.once('exit', (code) => reject(new Error(`s3 worker exited with ${code}`)));
    });
    port = addr.port;
  }
  let seq = 0;
  const ask = (w, msg) => new Promise((resolve) => {
    const id = ++seq;
    const on = (m) => { if (m.id === id) { w.off('message', on); resolve(m); } };
    w.on('message', on);
    w.send({ ...msg, id });
  });
  const setLatency = (ms) => Promise.all(procs.map((w) => ask(w, { cmd: 'latency', ms })));
  await setLatency(latencyMs);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    backend: `http://127.0.0.1:${backendPort}`,
    dir,
    workers,
    setLatency,
    async stats() {
      const all = await Promise.all(procs.map((w) => ask(w, { cmd: 'stats' })));
      const sum = { requests: 0, lists: 0, connections: 0, cpu: 0, byMethod: {},
        perWorker: all.map(({ stats }) => ({ requests: stats.requests, connections: stats.connections, cpu: stats.cpu })) };
      sum.residenceMs = all.reduce((a, { stats }) => a + stats.residenceMs, 0);
      for (const { stats } of all) {
        sum.requests += stats.requests;
        sum.cpu += stats.cpu;
        sum.connections += stats.connections;
        sum.lists += stats.lists;
        for (const [k, v] of Object.entries(stats.byMethod)) sum.byMethod[k] = (sum.byMethod[k] || 0) + v;
      }
      return sum;
    },
    async stop() {
      await Promise.all(procs.map((w) => new Promise((resolve) => {
        if (w.isDead()) { resolve(); return; }
        w.once('exit', resolve);
        w.kill('SIGINT'); // lets --cpu-prof write its profile
      })));
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
