// lake against S3: s3rver on 127.0.0.1 behind a proxy that verifies every SigV4 signature and can
// inject faults (lib/s3server.mjs). Tables written to S3 are read back with plain GETs from
// s3rver and compared with the DuckDB oracle of SPEC.md, like the local runs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listKeys } from './lib/input.mjs';
import { LAKE_BIN, assertExitOk, assertOneLineError, closedPort, gen, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput } from './lib/output.mjs';
import { backendList, download, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKETESTKEY00001';
const SECRET = 'lake-test-secret/NeverPrintMe+0123456789';
const TOKEN = 'lake-session-token-NeverPrintMeEither';
const IMDS_KEY = 'ASIALAKEIMDSKEY00001';
const IMDS_SECRET = 'lake-imds-secret/NeverPrintMe+9876543210';
const IMDS_TOKEN = 'lake-imds-session-token-NeverPrintMe';

/**
 * A fake EC2 instance metadata service (IMDSv2) on 127.0.0.1: PUT /latest/api/token needs the TTL
 * header and returns a token; the metadata GETs need that token. mode 'ok' serves role
 * "lake-role" and its credentials; 'no-creds' answers the credentials with 500. seen lists
 * "METHOD path [token|no-token]" of every request.
 */
async function startImds(mode = 'ok') {
  const seen = [];
  const apiToken = 'imds-api-token-0123';
  const server = http.createServer((req, res) => {
    const authed = req.headers['x-aws-ec2-metadata-token'] === apiToken;
    seen.push(`${req.method} ${req.url} ${authed ? 'token' : 'no-token'}`);
    const send = (status, body) => { res.writeHead(status, { 'Content-Type': 'text/plain' }); res.end(body); };
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!(ttl >= 1 && ttl <= 21600)) return send(400, 'missing or invalid TTL header');
      return send(200, apiToken);
    }
    if (req.method !== 'GET') return send(405, '');
    if (!authed) return send(401, '');
    if (req.url === '/latest/meta-data/iam/security-credentials/') return send(200, 'lake-role');
    if (req.url === '/latest/meta-data/iam/security-credentials/lake-role') {
      if (mode === 'no-creds') return send(500, 'internal error');
      return send(200, JSON.stringify({ Code: 'Success', LastUpdated: new Date().toISOString(), Type: 'AWS-HMAC',
        AccessKeyId: IMDS_KEY, SecretAccessKey: IMDS_SECRET, Token: IMDS_TOKEN,
        Expiration: new Date(Date.now() + 3600_000).toISOString() }, null, 2));
    }
    return send(404, '');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, stop: () => new Promise((r) => server.close(r)) };
}

const lake = (args, opts) => lakeAsync(args, opts);

function report(problems, max = 15) {
  if (!problems.length) return;
  const more = problems.length > max ? `\n... and ${problems.length - max} more` : '';
  assert.fail(`${problems.length} problem(s):\n${problems.slice(0, max).join('\n')}${more}`);
}

const assertOk = assertExitOk;

const assertOneLineFailure = (r, what) => assertOneLineError(r, what);

describe('lake with an S3 store (s3rver, SigV4 checked)', () => {
  let s3;
  let tmp;
  let local; // local copy of the input
  let oracle;
  let endpoint;
  const env = {};

  before(async () => {
    // Only 127.0.0.1 is ever contacted: credentials are always set and IMDS is disabled.
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent/lake-test-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials',
    });
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_S3', 'AWS_MAX_ATTEMPTS']) delete process.env[k];
    Object.assign(process.env, env);
    s3 = await startS3({ buckets: ['lake'], anonymousBuckets: ['public'], secrets: { [KEY_ID]: SECRET, [IMDS_KEY]: IMDS_SECRET } });
    endpoint = s3.endpoint;
    tmp = tempDir('lake-s3-e2e-');
    local = join(tmp.dir, 'in');
    gen(local, { songs: 150, events: 2500, seed: 21 });
    oracle = await computeOracle(local);
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  const ep = () => ['--endpoint-url', endpoint];

  test('lake gen writes the same objects to S3 as to a directory', async () => {
    const r = await lake(['gen', 's3://lake/in', '--songs', '150', '--events', '2500', '--seed', '21', ...ep()]);
    assertOk(r, 'lake gen s3://lake/in');
    const want = listKeys(local).sort();
    const got = (await backendList(s3, 'lake', 'in/')).map((o) => o.key.slice(3)).sort();
    assert.deepEqual(got, want);
    const copy = join(tmp.dir, 'in-copy');
    await download(s3, 'lake', 'in/', copy);
    for (const k of want) {
      assert.ok(readFileSync(join(copy, k)).equals(readFileSync(join(local, k))), `${k} differs`);
    }
    assert.equal(s3.stats.signatureFailures, 0, 'every request carried a valid SigV4 signature');
  });

  test('s3 -> local: tables equal the oracle', async () => {
    const out = join(tmp.dir, 'out-s3-local');
    assertOk(await lake(['run', '--input', 's3://lake/in', '--output', out, ...ep()]), 'lake run s3->local');
    const got = await readLakeOutput(out);
    report(compareWithOracle(got, oracle, got.problems));
  });

  test('local -> s3: tables equal the oracle when read back by GET', async () => {
    assertOk(await lake(['run', '--input', local, '--output', 's3://lake/out-local', ...ep()]), 'lake run local->s3');
    const back = join(tmp.dir, 'back-local');
    await download(s3, 'lake', 'out-local/', back);
    const got = await readLakeOutput(back);
    report(compareWithOracle(got, oracle, got.problems));
    for (const t of ['songs', 'artists', 'users', 'time', 'songplays']) {
      assert.ok(existsSync(join(back, t, '_SUCCESS')), `${t}/_SUCCESS written`);
    }
  });

  test('s3 -> s3 (s3a:// output), twice: tables equal the oracle, no stale files', async () => {
    for (let i = 0; i < 2; i++) {
      assertOk(await lake(['run', '--input', 's3://lake/in', '--output', 's3a://lake/out', ...ep()]), `lake run s3->s3 #${i + 1}`);
    }
    const back = join(tmp.dir, 'back-s3');
    await download(s3, 'lake', 'out/', back);
    const got = await readLakeOutput(back);
    report(compareWithOracle(got, oracle, got.problems));
  });

  test('retries: 503 SlowDown, 500 and connection resets on a third of the requests', async () => {
    let n = 0;
    s3.setFault(() => {
      n++;
      if (n % 3 === 0) return n % 2 ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : 'reset';
      if (n % 7 === 0) return { status: 500, code: 'InternalError' };
      return null;
    });
    try {
      const out = join(tmp.dir, 'out-faults');
      assertOk(await lake(['run', '--input', 's3://lake/in', '--output', out, '--max-attempts', '10', ...ep()]), 'lake run with faults');
      const got = await readLakeOutput(out);
      report(compareWithOracle(got, oracle, got.problems));
    } finally {
      s3.setFault(null);
    }
  });

  test('retries give up after --max-attempts with the service message', async () => {
    const faults = new Map(); // list URL -> attempts (song_data/ and log_data/ are listed at once)
    s3.setFault((req) => (req.method === 'GET' && req.url.includes('list-type')
      ? (faults.set(req.url, (faults.get(req.url) || 0) + 1), { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' })
      : null));
    try {
      const r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'x'), '--max-attempts', '2', ...ep()]);
      const line = assertOneLineFailure(r, 'lake run against SlowDown');
      assert.match(line, /SlowDown/);
      assert.match(line, /lake/);
      assert.ok(faults.size >= 1 && faults.size <= 2, `one listing per dataset, saw ${[...faults.keys()]}`);
      for (const [url, n] of faults) assert.equal(n, 2, `list request ${url} tried exactly twice`);
    } finally {
      s3.setFault(null);
    }
  });

  test('a large input object is fetched with parallel ranged GETs', async () => {
    // ~20 MiB of events in one object: more than two 8 MiB parts.
    const events = readFileSync(join(local, listKeys(local).find((k) => k.startsWith('log_data/') && k.endsWith('.json'))));
    const copies = Math.ceil((20 << 20) / events.length);
    const big = Buffer.concat(Array.from({ length: copies }, () => events));
    const input = join(tmp.dir, 'in-big');
    gen(input, { songs: 40, events: 200, seed: 3, edgeCases: false });
    writeFileSync(join(input, 'log_data', 'big-events.json'), big);
    const up = await lake(['gen', 's3://lake/in-big', '--songs', '40', '--events', '200', '--seed', '3', '--no-edge-cases', ...ep()]);
    assertOk(up, 'gen in-big');
    const put = await fetch(`${s3.backend}/lake/in-big/log_data/big-events.json`, { method: 'PUT', body: big });
    assert.equal(put.status, 200, 'big object stored');
    const before = s3.stats.ranges.length;
    const out = join(tmp.dir, 'out-big');
    assertOk(await lake(['run', '--input', 's3://lake/in-big', '--output', out, ...ep()]), 'lake run big s3->local');
    const ranged = s3.stats.ranges.slice(before).filter((x) => x.includes('big-events.json'));
    assert.ok(ranged.length >= 3, `expected ranged GETs of the big object, saw ${JSON.stringify(ranged)}`);
    const ref = join(tmp.dir, 'out-big-local');
    assertOk(await lake(['run', '--input', input, '--output', ref]), 'lake run big local->local');
    const a = await readLakeOutput(out);
    const b = await readLakeOutput(ref);
    const rows = (x) => Object.fromEntries(Object.entries(x.tables).map(([t, v]) => [t, v.files.map((f) => f.rows.length)]));
    assert.deepEqual(rows(a), rows(b));
  });

  test('store operations: multipart PUT, ranged GET, get_many, continuation tokens, DeleteObjects', async () => {
    const unit = join(dirname(LAKE_BIN), 'unit-tests');
    assert.ok(existsSync(unit), `no unit-test binary next to ${LAKE_BIN}`);
    const r = await spawnAsync(unit, ['s3_live'], {
      env: { ...process.env, LAKE_S3_LIVE_URL: 's3://lake/live', AWS_ENDPOINT_URL: endpoint },
    });
    assert.match(r.stdout, /s3_live: ran/, `the live test did not run:\n${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /1 passed, 0 failed/);
    const uploads = s3.stats.queries.filter((q) => q.startsWith('POST /lake/live/big/blob.bin?uploads'));
    assert.equal(uploads.length, 1, 'the big object went up as a multipart upload');
    assert.ok(s3.stats.queries.some((q) => q.startsWith('POST /lake/?delete')), 'DeleteObjects used');
  });

  test('--no-sign-request reads a public bucket anonymously', async () => {
    assertOk(await lake(['gen', 's3://public/in', '--songs', '30', '--events', '300', '--seed', '4', ...ep()]), 'gen public');
    const before = s3.stats.queries.length;
    const out = join(tmp.dir, 'out-public');
    assertOk(await lake(['run', '--input', 's3://public/in', '--output', out, '--no-sign-request', ...ep()]), 'anonymous run');
    assert.equal(s3.stats.unsigned.filter((i) => i >= before).length, s3.stats.queries.length - before,
      'every request of the anonymous run was unsigned');
  });

  test('AWS_PROFILE with a shared credentials file and a session token; nothing secret printed', async () => {
    const creds = join(tmp.dir, 'credentials');
    writeFileSync(creds, `[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n` +
      `[lake-test]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n`);
    const r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'out-profile'),
      '--verbose', ...ep()], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'lake-test', AWS_SHARED_CREDENTIALS_FILE: creds },
    });
    assertOk(r, 'lake run with AWS_PROFILE');
    assert.match(r.stderr, /lake s3: GET/, '--verbose prints requests');
    for (const secret of [SECRET, TOKEN]) {
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a credential was printed');
    }
    assert.ok(s3.stats.tokens.includes(TOKEN), 'the session token was sent (and signed)');
  });

  // Credentials from nowhere but the instance metadata service.
  const imdsEnv = (imdsUrl) => ({ ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '',
    AWS_EC2_METADATA_DISABLED: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsUrl });

  test('EC2 instance profile (IMDSv2, AWS_EC2_METADATA_SERVICE_ENDPOINT): signs with its credentials and session token, prints none of them', async () => {
    const imds = await startImds('ok');
    try {
      assertOk(await lake(['gen', 's3://lake/imds-in', '--songs', '20', '--events', '200', ...ep()], { env: imdsEnv(imds.url) }),
        'lake gen (PUTs) with instance-profile credentials');
      const r = await lake(['run', '--input', 's3://lake/imds-in', '--output', join(tmp.dir, 'out-imds'), '--verbose', ...ep()],
        { env: imdsEnv(imds.url) });
      assertOk(r, 'lake run (GETs) with instance-profile credentials');
      assert.match(r.stderr, /credentials: EC2 instance profile/);
      const sequence = ['PUT /latest/api/token no-token', 'GET /latest/meta-data/iam/security-credentials/ token',
        'GET /latest/meta-data/iam/security-credentials/lake-role token'];
      assert.deepEqual(imds.seen, [...sequence, ...sequence], 'the IMDSv2 sequence, once per command');
      assert.ok(s3.stats.tokens.includes(IMDS_TOKEN), 'the session token from IMDS was sent (and signed)');
      for (const secret of [IMDS_SECRET, IMDS_TOKEN, 'imds-api-token-0123']) {
        assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a credential was printed');
      }
    } finally {
      await imds.stop();
    }
  });

  test('no credentials and IMDS unreachable or failing: one line naming the metadata endpoint and the failed step', async () => {
    const port = await closedPort();
    let r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'x'), ...ep()],
      { env: imdsEnv(`http://127.0.0.1:${port}`) });
    let line = assertOneLineFailure(r, 'IMDS unreachable');
    assert.match(line, /no AWS credentials found/);
    assert.match(line, new RegExp(`instance metadata at http://127\\.0\\.0\\.1:${port}: token request failed`));
    const imds = await startImds('no-creds');
    try {
      r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'x'), ...ep()], { env: imdsEnv(imds.url) });
      line = assertOneLineFailure(r, 'IMDS failing');
      assert.match(line, /no AWS credentials found/);
      assert.match(line, /credentials request failed: HTTP 500/);
    } finally {
      await imds.stop();
    }
  });

  test('wrong secret key: exit 1, one line naming the bucket and the signature problem', async () => {
    const r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'x'), ...ep()], {
      env: { ...process.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
    });
    const line = assertOneLineFailure(r, 'wrong secret');
    assert.match(line, /SignatureDoesNotMatch|signature/i);
    assert.match(line, /s3:\/\/lake\//);
    assert.ok(!line.includes('not-the-secret'));
  });

  test('unknown access key: exit 1, access denied', async () => {
    const r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'x'), ...ep()], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY' },
    });
    const line = assertOneLineFailure(r, 'unknown key');
    assert.match(line, /InvalidAccessKeyId/);
    assert.match(line, /access denied/i);
  });

  test('missing bucket: exit 1 naming the bucket', async () => {
    const line = assertOneLineFailure(await lake(['run', '--input', 's3://no-such-bucket/in', '--output', join(tmp.dir, 'x'), ...ep()]), 'missing bucket');
    assert.match(line, /no-such-bucket/);
    assert.match(line, /does not exist|NoSuchBucket/);
  });

  test('unreachable endpoint: exit 1 quickly with --max-attempts 2', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await lake(['run', '--input', 's3://lake/in', '--output', join(tmp.dir, 'x'), '--endpoint-url', `http://127.0.0.1:${port}`, '--max-attempts', '2']);
    const line = assertOneLineFailure(r, 'unreachable endpoint');
    assert.ok(Date.now() - t0 < 5000, 'took too long');
    assert.match(line, /cannot reach/);
    assert.match(line, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });
});
