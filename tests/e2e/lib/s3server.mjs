// A test S3 on 127.0.0.1 (or the address given as host): s3rver (in-process, on a random port)
// behind a proxy that checks SigV4 signatures the way AWS documents them (s3rver 3.7.1 checks only
// the access key id of a v4 request) and can inject faults (5xx replies, connection resets, delays,
// truncated bodies, lost replies) to exercise retries, and add a fixed latency to every request
// (benchmarks).
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExtras, uploadsInProgress } from './s3rver_fix.mjs';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

export const ACCESS_KEY = 'S3RVER';
export const SECRET_KEY = 'S3RVER';

const sha256hex = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

// SigV4 URI encoding: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper case); '/' kept in paths.
function uriEncode(s, keepSlash) {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch) || (keepSlash && ch === '/')) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function xmlError(res, status, code, message) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message><RequestId>lake-test</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// The derived key depends only on the secret and the scope, so it is computed once per scope (as
// AWS documents clients may do): four HMACs less per request.
const signingKeys = new Map();
function signingKey(secret, date, region, service) {
  const id = [secret, date, region, service].join('\0');
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
    signingKeys.set(id, key);
  }
  return key;
}

/** Checks the Authorization header of a request; returns null when valid, else [code, message]. */
export function verifySigV4(req, body, secrets) {
  const auth = req.headers.authorization;
  if (!auth) return ['AccessDenied', 'Anonymous access is not allowed'];
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return ['AuthorizationHeaderMalformed', 'The authorization header is malformed'];
  const [, keyId, date, region, service, signedHeaders, signature] = m;
  const secret = secrets[keyId];
  if (secret === undefined) {
    return ['InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
  }
  const amzDate = req.headers['x-amz-date'];
  if (!amzDate || !amzDate.startsWith(date)) return ['AccessDenied', 'x-amz-date missing or not matching the scope'];
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(Date.now() - when) < 15 * 60 * 1000)) return ['RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'];
  const signed = signedHeaders.split(';');
  for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(h)) return ['AccessDenied', `header ${h} is not signed`];
  }
  for (const h of Object.keys(req.headers)) {
    if (h.startsWith('x-amz-') && !signed.includes(h)) return ['AccessDenied', `header ${h} is present but not signed`];
  }
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256hex(body)) {
    return ['XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.'];
  }
  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
  const canonicalUri = rawPath.split('/').map((seg) => uriEncode(decodeURIComponent(seg), false)).join('/');
  const params = rawQuery === '' ? [] : rawQuery.split('&').map((kv) => {
    const i = kv.indexOf('=');
    const k = i < 0 ? kv : kv.slice(0, i);
    const v = i < 0 ? '' : kv.slice(i + 1);
    return [uriEncode(decodeURIComponent(k), false), uriEncode(decodeURIComponent(v), false)];
  });
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const canonicalQuery = params.map(([k, v]) => `${k}=${v}`).join('&');
  const canonicalHeaders = signed.map((h) => {
    const v = req.headers[h];
    if (v === undefined) return null;
    return `${h}:${String(v).trim().replace(/\s+/g, ' ')}\n`;
  });
  if (canonicalHeaders.includes(null)) return ['AccessDenied', 'a signed header is missing'];
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders.join(''),
    signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  const key = signingKey(secret, date, region, service);
  const expected = hmac(key, stringToSign).toString('hex');
  if (expected !== signature) {
    return ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'];
  }
  return null;
}

/**
 * Starts s3rver and the checking proxy. Returns { endpoint, dir, stats, uploads, setFault, setLatency,
 * stop }.
 * setFault(fn): fn(req, n) may return, n counting requests from 1:
 *   null                      pass the request on;
 *   { status, code, message } answer with that error (the request never reaches s3rver);
 *   'reset'                   drop the connection without a reply (never reaches s3rver);
 *   'truncate'                pass the request on, then send the reply's headers (with the full
 *                             Content-Length) and only half of its body, and close the
 *                             connection; a reply without a body is dropped instead;
 *   'drop-reply'              pass the request on (s3rver carries it out, e.g. stores a PUT), then
 *                             close the connection without replying: a reply lost on the way;
 *   { delay: ms, then }       wait ms, then do what `then` says (default: pass the request on).
 * stats.faults counts the injected faults by kind ('error', 'reset', 'truncate', 'drop-reply',
 * 'delay'). setObserver(fn): fn(req, body) sees every request (headers, method, url, body) as it
 * arrives, before any fault. latencyMs (or setLatency(ms)) delays every request by ms before it is handled, to
 * model a round trip to a remote store. host is the address both servers listen on (127.0.0.1;
 * netns.mjs gives its object-store namespace's address, so the other namespaces reach them).
 */
export async function startS3({ buckets = ['lake'], anonymousBuckets = [], secrets = { [ACCESS_KEY]: SECRET_KEY }, latencyMs = 0, host = '127.0.0.1' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lake-s3rver-'));
  const s3rver = new S3rver({ address: host, port: 0, silent: true, directory: dir,
    configureBuckets: [...buckets, ...anonymousBuckets].map((name) => ({ name })) });
  s3rver.middleware.shift(); // koa-logger: formats a line per request even when silent
  installExtras(s3rver);
  const { port: backendPort } = await s3rver.run();
  const stats = { requests: 0, byMethod: {}, signatureFailures: 0, queries: [], ranges: [], unsigned: [], tokens: [], faults: {} };
  let fault = null;
  let observer = null;
  let latency = latencyMs;
  const count = (kind) => { stats.faults[kind] = (stats.faults[kind] || 0) + 1; };
  // Checks the signature and hands the request to s3rver; `mode` says what reaches the client.
  function forward(req, res, body, mode) {
    const bucket = decodeURIComponent(req.url.split(/[/?]/)[1] || '');
    const anonymous = anonymousBuckets.includes(bucket) && !req.headers.authorization &&
      (req.method === 'GET' || req.method === 'HEAD');
    if (!anonymous) {
      const bad = verifySigV4(req, body, secrets);
      if (bad) { stats.signatureFailures++; xmlError(res, 403, bad[0], bad[1]); return; }
    }
    const headers = { ...req.headers };
    delete headers.authorization; // checked here; s3rver would only re-check the key id
    const up = http.request({ host, port: backendPort, method: req.method, path: req.url, headers },
      (upRes) => {
        if (!mode) { res.writeHead(upRes.statusCode, upRes.headers); upRes.pipe(res); return; }
        const parts = [];
        upRes.on('data', (c) => parts.push(c));
        upRes.on('end', () => {
          const full = Buffer.concat(parts);
          if (mode === 'drop-reply' || full.length < 2) { count(mode === 'drop-reply' ? mode : 'reset'); req.socket.destroy(); return; }
          count('truncate');
          const h = { ...upRes.headers, 'content-length': String(full.length) };
          delete h['transfer-encoding'];
          res.writeHead(upRes.statusCode, h);
          res.write(full.subarray(0, full.length >> 1), () => req.socket.destroy());
        });
      });
    up.on('error', () => { req.socket.destroy(); });
    up.end(body);
  }
  function handle(req, res, body, f) {
    if (f && typeof f === 'object' && f.delay !== undefined) {
      count('delay');
      setTimeout(() => handle(req, res, body, f.then ?? null), f.delay);
      return;
    }
    if (f === 'reset') { count('reset'); req.socket.destroy(); return; }
    if (f === 'truncate' || f === 'drop-reply') { forward(req, res, body, f); return; }
    if (f) { count('error'); xmlError(res, f.status, f.code, f.message || 'injected by the test'); return; }
    forward(req, res, body, null);
  }
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const n = ++stats.requests;
      stats.byMethod[req.method] = (stats.byMethod[req.method] || 0) + 1;
      stats.queries.push(`${req.method} ${req.url}`);
      if (req.headers.range) stats.ranges.push(`${req.url} ${req.headers.range}`);
      if (!req.headers.authorization) stats.unsigned.push(stats.queries.length - 1);
      const token = req.headers['x-amz-security-token'];
      if (token && !stats.tokens.includes(token)) stats.tokens.push(token);
      if (observer) observer(req, body);
      const f = fault && fault(req, n);
      if (latency > 0) setTimeout(() => handle(req, res, body, f), latency);
      else handle(req, res, body, f);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, host, resolve));
  const endpoint = `http://${host}:${server.address().port}`;
  return {
    endpoint,
    dir,
    stats,
    backend: `http://${host}:${backendPort}`,
    /** { key, uploadId } of the multipart uploads in progress in bucket (s3rver's own state). */
    uploads: (bucket) => uploadsInProgress(s3rver.store, bucket),
    setFault(fn) { fault = fn; },
    setObserver(fn) { observer = fn; },
    setLatency(ms) { latency = ms; },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      await s3rver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Unsigned GET straight from s3rver (bypassing the proxy): { status, body }. */
export async function backendGet(s3, path) {
  const r = await fetch(`${s3.backend}${path}`);
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}

/** An unsigned PUT straight to s3rver (bypassing the signing proxy); resolves to the status. */
export function backendPut(s3, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s3.backend}${path}`, { method: 'PUT', headers: { 'content-length': Buffer.byteLength(body) } },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every key under prefix in bucket, read back from s3rver with ListObjectsV2 (no delimiter). */
export async function backendList(s3, bucket, prefix) {
  const keys = [];
  let token = '';
  for (;;) {
    const q = new URLSearchParams({ 'list-type': '2', prefix });
    if (token) q.set('continuation-token', token);
    const { status, body } = await backendGet(s3, `/${bucket}?${q}`);
    if (status !== 200) throw new Error(`list ${bucket}/${prefix}: HTTP ${status}`);
    const xml = body.toString('utf8');
    const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
    for (const m of xml.matchAll(/<Contents>(.*?)<\/Contents>/gs)) {
      const field = (name) => (new RegExp(`<${name}>(.*?)</${name}>`, 's').exec(m[1]) || [])[1];
      keys.push({ key: unescape(field('Key')), size: Number(field('Size')),
        lastModified: new Date(field('LastModified')), etag: unescape(field('ETag') || '') });
    }
    const next = /<NextContinuationToken>(.*?)<\/NextContinuationToken>/.exec(xml);
    if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || !next) break;
    token = unescape(next[1]);
  }
  return keys;
}

/**
 * For a process that only serves s3 (a store daemon): stops it, removing its directory, and exits
 * on SIGTERM or SIGINT. Returns that stop function, for other reasons to stop.
 */
export function exitOnSignals(s3) {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await s3.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return stop;
}

/** Downloads every object under bucket/prefix into a local directory (keys relative to prefix). */
export async function download(s3, bucket, prefix, dest) {
  const { mkdirSync, writeFileSync, utimesSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const keys = await backendList(s3, bucket, prefix);
  for (const { key, lastModified } of keys) {
    const path = '/' + bucket + '/' + key.split('/').map(encodeURIComponent).join('/');
    const { status, body } = await backendGet(s3, path);
    if (status !== 200) throw new Error(`GET ${bucket}/${key}: HTTP ${status}`);
    const out = join(dest, key.slice(prefix.length));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, body);
    // The copy carries the object's LastModified, so "_SUCCESS is written last" is checked
    // against the store's clock, not the download order.
    utimesSync(out, lastModified, lastModified);
  }
  return keys;
}

/**
 * The environment of a lake process that talks to s3 (a startS3 server) with the key keyId:
 * this process's environment without any AWS profile, token or endpoint of the machine's.
 */
export function s3ClientEnv(s3, keyId, secret) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: s3.endpoint,
    AWS_CONFIG_FILE: '/nonexistent/lake-test-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials' };
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_S3']) delete env[k];
  return env;
}
