// lake against a failing S3 (the S3 issue's failure acceptance items), on s3rver behind the
// SigV4-checking fault proxy of lib/s3server.mjs, 127.0.0.1 only:
//
// - faults (500, 503 SlowDown, delays, connection resets, truncated bodies, lost replies) on a
//   share of requests: the run succeeds and its tables equal those of a local run;
// - faults on every request: exit 1 with a one-line error, the previous output byte for byte as
//   it was; the same when the run fails half-way through writing (PUTs refused, or PUTs stored
//   whose replies are lost) or while writing the _SUCCESS markers;
// - a multipart upload refused part-way is aborted: no upload left in progress (the test
//   s3rver's ListMultipartUploads, added in lib/s3rver_fix.mjs), the previous object intact;
// - wrong credentials, a missing bucket, an unreachable endpoint: exit 1 with one clear line and
//   nothing written to the bucket.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, assertExitOk, assertOneLineError, closedPort, gen, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput, showRow } from './lib/output.mjs';
import { backendGet, backendList, download, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKEFAILKEY00001';
const SECRET = 'lake-fail-secret/NeverPrintMe+0123456789';

// The S3 server runs in this process: lake must run asynchronously.
const lake = (args, { env = process.env, timeout = 100_000 } = {}) => lakeAsync(args, { env, timeout });
const assertOk = assertExitOk;

const assertOneLineFailure = (r, what) => assertOneLineError(r, what, /^lake run: \S/);

/** key -> { size, etag, sha256 } of every object under bucket/prefix, read from s3rver directly. */
async function snapshot(s3, bucket, prefix = '') {
  const snap = {};
  for (const o of await backendList(s3, bucket, prefix)) {
    const path = '/' + bucket + '/' + o.key.split('/').map(encodeURIComponent).join('/');
    const { status, body } = await backendGet(s3, path);
    assert.equal(status, 200, `GET ${bucket}/${o.key} from s3rver`);
    snap[o.key] = { size: o.size, etag: o.etag, sha256: createHash('sha256').update(body).digest('hex') };
  }
  return snap;
}

/** Asserts that two snapshots are equal, naming the keys that appeared, vanished or changed. */
function assertSameSnapshot(after, before, what) {
  const added = Object.keys(after).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in after));
  const changed = Object.keys(before).filter((k) => k in after &&
    JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  const show = (xs) => `${xs.length}${xs.length ? ` (e.g. ${xs.slice(0, 4).join(', ')})` : ''}`;
  assert.ok(!added.length && !removed.length && !changed.length,
    `${what}: the bucket changed: ${show(added)} objects added, ${show(removed)} removed, ${show(changed)} changed`);
}

/** Table rows as sorted text (values, partition values), for comparing two lake outputs. */
function tableRows(out) {
  const res = {};
  for (const [t, v] of Object.entries(out.tables)) {
    res[t] = v.rows.map((r) => `${showRow(r)} part ${showRow(r.__part ?? [])}`).sort();
  }
  return res;
}

const hashOf = (s) => createHash('sha1').update(s).digest().readUInt32BE(0);

describe('lake with a failing S3 store (s3rver behind a fault-injecting proxy)', () => {
  let s3;
  let tmp;
  let local;
  let oracle;
  let reference; // rows of a local -> local run
  const ep = () => ['--endpoint-url', s3.endpoint];

  before(async () => {
    // Only 127.0.0.1 is ever contacted: credentials are set, IMDS and config files are off.
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_S3', 'AWS_MAX_ATTEMPTS']) delete process.env[k];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent/lake-test-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials',
    });
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    tmp = tempDir('lake-s3-failures-');
    local = join(tmp.dir, 'in');
    gen(local, { songs: 150, events: 2500, seed: 33 });
    oracle = await computeOracle(local);
    assertOk(await lake(['gen', 's3://lake/in', '--songs', '150', '--events', '2500', '--seed', '33', ...ep()]), 'lake gen s3://lake/in');
    const ref = join(tmp.dir, 'ref');
    assertOk(await lake(['run', '--input', local, '--output', ref]), 'local reference run');
    const out = await readLakeOutput(ref);
    assert.deepEqual(out.problems, [], 'the local reference run reads back cleanly');
    reference = tableRows(out);
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  // A clean s3 -> s3 run into s3://lake/out, then the bucket's snapshot.
  async function cleanOutput() {
    s3.setFault(null);
    assertOk(await lake(['run', '--input', 's3://lake/in', '--output', 's3://lake/out', ...ep()]), 'clean run into s3://lake/out');
    const snap = await snapshot(s3, 'lake', 'out/');
    for (const t of ['songs', 'artists', 'users', 'time', 'songplays']) {
      assert.ok(`out/${t}/_SUCCESS` in snap, `out/${t}/_SUCCESS after the clean run`);
    }
    return snap;
  }

  test('500, 503 SlowDown, delays, resets, truncated bodies and lost replies on a share of requests: s3 -> s3 succeeds with the tables of a local run', async () => {
    // Which requests fail is a function of the request (method, URL, range), not of timing: 35% of
    // them fail on their first attempt, 10% also on their second, so every request succeeds
    // within lake's default 5 attempts whatever the order.
    const kinds = [
      () => ({ status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' }),
      () => ({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }),
      (h) => ({ delay: 200 + (h % 1300) }), // slow, but answered: not a failure
      () => 'reset',
      () => 'truncate',
      () => 'drop-reply',
    ];
    const attempts = new Map();
    const perKind = {};
    s3.setFault((req) => {
      const id = `${req.method} ${req.url} ${req.headers.range || ''}`;
      const a = (attempts.get(id) || 0) + 1;
      attempts.set(id, a);
      const h = hashOf(id);
      if (h % 100 >= (a === 1 ? 35 : a === 2 ? 10 : 0)) return null;
      const k = ((h >>> 8) + a) % kinds.length;
      perKind[k] = (perKind[k] || 0) + 1;
      return kinds[k](h);
    });
    const before = { ...s3.stats.faults };
    const t0 = Date.now();
    let r;
    try {
      r = await lake(['run', '--input', 's3://lake/in', '--output', 's3://lake/out-faults', ...ep()]);
    } finally {
      s3.setFault(null);
    }
    assertOk(r, 'lake run s3 -> s3 with faults');
    const injected = Object.fromEntries(Object.entries(s3.stats.faults).map(([k, v]) => [k, v - (before[k] || 0)]));
    for (const k of ['error', 'delay', 'reset', 'truncate', 'drop-reply']) {
      assert.ok((injected[k] || 0) >= 5, `expected at least 5 faults of kind ${k}, injected ${JSON.stringify(injected)}`);
    }
    assert.ok(Date.now() - t0 < 60_000, 'the run with faults took more than a minute');
    const back = join(tmp.dir, 'back-faults');
    await download(s3, 'lake', 'out-faults/', back);
    const got = await readLakeOutput(back);
    assert.deepEqual(got.problems, [], 'the output read back from S3 is well formed');
    assert.equal(got.uuids.size, 1, 'files of exactly one run');
    assert.deepEqual(tableRows(got), reference, 'tables equal those of the local run');
    const problems = compareWithOracle(got, oracle, []);
    assert.deepEqual(problems, [], 'tables equal the oracle');
  });

  test('faults on every request (--max-attempts 2): exit 1 with one line, the previous output unchanged', async () => {
    const snap = await cleanOutput();
    const kinds = [{ status: 500, code: 'InternalError' }, { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }, 'reset', 'truncate', 'drop-reply'];
    let n = 0;
    s3.setFault(() => kinds[n++ % kinds.length]);
    let r;
    try {
      r = await lake(['run', '--input', 's3://lake/in', '--output', 's3://lake/out', '--max-attempts', '2', ...ep()]);
    } finally {
      s3.setFault(null);
    }
    const line = assertOneLineFailure(r, 'run with every request failing');
    assert.match(line, /s3:\/\/lake\//, 'the error names the S3 location');
    assert.ok(n >= 2, 'requests were made and failed');
    assertSameSnapshot(await snapshot(s3, 'lake', 'out/'), snap, 'after the run that failed on every request');
  });

  // The run reads its input, then its PUTs fail from the (N+1)-th on; what the failing PUTs do is
  // `fault`. The previous tables with their _SUCCESS must be exactly as before, and nothing of the
  // failed run may remain (its data files must be deleted again).
  async function failMidWrite(what, n, fault) {
    const snap = await cleanOutput();
    let puts = 0;
    const deletesBefore = (s3.stats.byMethod.DELETE || 0) + s3.stats.queries.filter((q) => q.startsWith('POST /lake/?delete')).length;
    s3.setFault((req) => (req.method === 'PUT' && ++puts > n ? fault : null));
    let r;
    try {
      r = await lake(['run', '--input', 's3://lake/in', '--output', 's3://lake/out', '--max-attempts', '2', ...ep()]);
    } finally {
      s3.setFault(null);
    }
    const line = assertOneLineFailure(r, what);
    assert.match(line, /writing .*out\//, 'the error names what was being written');
    assert.ok(puts > n, `the run got past ${n} PUTs`);
    const deletes = (s3.stats.byMethod.DELETE || 0) + s3.stats.queries.filter((q) => q.startsWith('POST /lake/?delete')).length - deletesBefore;
    assert.ok(deletes > 0, 'the failed run deleted what it had written');
    assertSameSnapshot(await snapshot(s3, 'lake', 'out/'), snap, `after ${what}`);
  }

  test('PUTs refused after the first 20 writes: exit 1 with one line, previous tables and _SUCCESS unchanged, no file of the failed run left', async () => {
    await failMidWrite('the run whose PUTs are refused mid-write', 20, { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
  });

  test('PUTs stored but their replies lost after the first 20 writes: previous tables and _SUCCESS unchanged, no file of the failed run left', async () => {
    // S3 can carry out a PUT whose reply never reaches the client (a reset, a timeout): the
    // object exists although lake saw the PUT fail. It is still this run's file and must go.
    await failMidWrite('the run whose PUT replies are lost mid-write', 20, 'drop-reply');
  });

  test('the PUT of a later table\'s _SUCCESS fails: previous tables unchanged, no file of the failed run left', async () => {
    const snap = await cleanOutput();
    let hits = 0;
    s3.setFault((req) => (req.method === 'PUT' && req.url.startsWith('/lake/out/time/_SUCCESS') ? (hits++, { status: 500, code: 'InternalError' }) : null));
    let r;
    try {
      r = await lake(['run', '--input', 's3://lake/in', '--output', 's3://lake/out', '--max-attempts', '2', ...ep()]);
    } finally {
      s3.setFault(null);
    }
    const line = assertOneLineFailure(r, 'the run whose time/_SUCCESS cannot be written');
    assert.match(line, /time\/_SUCCESS/);
    assert.equal(hits, 2, 'time/_SUCCESS was tried twice');
    assertSameSnapshot(await snapshot(s3, 'lake', 'out/'), snap, 'after the run that failed writing time/_SUCCESS');
  });

  test('a multipart upload refused at part 2 is aborted: no upload left in progress, the previous object intact', async () => {
    const unit = join(dirname(LAKE_BIN), 'unit-tests');
    assert.ok(existsSync(unit), `no unit-test binary next to ${LAKE_BIN}`);
    const from = s3.stats.queries.length;
    let refused = 0;
    s3.setFault((req) => (req.method === 'PUT' && /[?&]partNumber=2&/.test(req.url)
      ? (refused++, { status: 403, code: 'AccessDenied', message: 'Access Denied' }) : null));
    let r;
    try {
      r = await spawnAsync(unit, ['s3_abort_multipart'], {
        env: { ...process.env, LAKE_S3_ABORT_URL: 's3://lake/mp', AWS_ENDPOINT_URL: s3.endpoint },
      });
    } finally {
      s3.setFault(null);
    }
    assert.match(r.stdout, /s3_abort: ran/, `the abort test did not run:\n${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(refused, 1, 'part 2 was refused once (a 403 is not retried)');
    const sent = s3.stats.queries.slice(from);
    const id = (/^POST \/lake\/mp\/big\/blob\.bin\?uploads/.test(sent.find((q) => q.includes('?uploads')) || '') &&
      (sent.find((q) => /^PUT .*partNumber=1&uploadId=/.test(q)) || '').match(/uploadId=([0-9a-f]+)/)) || [];
    assert.ok(id[1], `a multipart upload was started and part 1 sent:\n${sent.join('\n')}`);
    assert.ok(sent.some((q) => q.startsWith(`DELETE /lake/mp/big/blob.bin?uploadId=${id[1]}`)), 'AbortMultipartUpload sent');
    assert.deepEqual(await s3.uploads('lake'), [], 'no multipart upload left in progress (s3rver state)');
    const listed = await backendGet(s3, '/lake?uploads');
    assert.equal(listed.status, 200, 'ListMultipartUploads');
    assert.doesNotMatch(listed.body.toString(), /<Upload>/, 'ListMultipartUploads lists no upload');
    const { status, body } = await backendGet(s3, '/lake/mp/big/blob.bin');
    assert.equal(status, 200);
    assert.equal(body.toString(), 'previous', 'the object written before the failed upload is intact');
  });

  test('wrong secret key or unknown key id: one line, nothing written (s3 -> s3 and local -> s3)', async () => {
    await cleanOutput();
    const snap = await snapshot(s3, 'lake');
    const cases = [
      ['wrong secret, s3 -> s3', ['--input', 's3://lake/in', '--output', 's3://lake/out'], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, /SignatureDoesNotMatch|signature/i],
      ['wrong secret, local -> s3', ['--input', local, '--output', 's3://lake/out'], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, /SignatureDoesNotMatch|signature/i],
      ['wrong secret, local -> new prefix', ['--input', local, '--output', 's3://lake/out-new'], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' }, /SignatureDoesNotMatch|signature/i],
      ['unknown key id, local -> s3', ['--input', local, '--output', 's3://lake/out'], { AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY' }, /InvalidAccessKeyId/],
    ];
    for (const [what, args, envOver, re] of cases) {
      const r = await lake(['run', ...args, ...ep()], { env: { ...process.env, ...envOver } });
      const line = assertOneLineFailure(r, what);
      assert.match(line, re, what);
      assert.match(line, /s3:\/\/lake\//, `${what}: names the bucket`);
      assert.ok(!line.includes('not-the-secret') && !line.includes(SECRET), `${what}: no secret printed`);
      assertSameSnapshot(await snapshot(s3, 'lake'), snap, what);
    }
  });

  test('missing input bucket with a valid output bucket, missing output bucket: one line naming the bucket, nothing written', async () => {
    await cleanOutput();
    const snap = await snapshot(s3, 'lake');
    let r = await lake(['run', '--input', 's3://no-such-bucket/in', '--output', 's3://lake/out', ...ep()]);
    let line = assertOneLineFailure(r, 'missing input bucket');
    assert.match(line, /no-such-bucket/);
    assert.match(line, /does not exist|NoSuchBucket/);
    assertSameSnapshot(await snapshot(s3, 'lake'), snap, 'missing input bucket');

    r = await lake(['run', '--input', 's3://lake/in', '--output', 's3://no-such-bucket/out', ...ep()]);
    line = assertOneLineFailure(r, 'missing output bucket');
    assert.match(line, /no-such-bucket/);
    assert.match(line, /does not exist|NoSuchBucket/);
    assertSameSnapshot(await snapshot(s3, 'lake'), snap, 'missing output bucket');
  });

  // Issue 18, defect 10: a server answering in 4 s per request made the run hang silently.
  test('a server answering every request in 4 s, --request-timeout 1 --max-attempts 2: exit 1 within seconds, one line naming the request and the timeout', async () => {
    s3.setFault(() => ({ delay: 4000 }));
    const t0 = Date.now();
    let r;
    try {
      r = await lake(['run', '--input', local, '--output', 's3://lake/slow', '--request-timeout', '1', '--max-attempts', '2', ...ep()], { timeout: 60_000 });
    } finally {
      s3.setFault(null);
    }
    const took = Date.now() - t0;
    const line = assertOneLineFailure(r, 'run against a server slower than the request timeout');
    assert.match(line, /(GET|PUT|HEAD|POST|DELETE|list) s3:\/\/lake\//, 'the error names the request');
    assert.match(line, /timed out: nothing sent or received for 1 s \(--request-timeout 1\), after 2 attempts/, 'the error names the timeout');
    // Two attempts of about a second each, a backoff of at most a second: well under the 4 s reply.
    assert.ok(took < 15_000, `the run took ${took} ms`);
  });

  // --request-timeout 2, not 1: beside the other lane's MPI suites a retry itself once waited
  // over a second for the in-process test S3 (CompleteMultipartUpload), and the run failed.
  test('requests stalled for 5 s on their first attempt, --request-timeout 2: retried, and the run gives the tables of a local run', async () => {
    const attempts = new Map();
    let stalled = 0;
    s3.setFault((req) => {
      const id = `${req.method} ${req.url} ${req.headers.range || ''}`;
      const a = (attempts.get(id) || 0) + 1;
      attempts.set(id, a);
      if (a > 1 || hashOf(id) % 100 >= 10) return null;
      stalled++;
      return { delay: 5000, then: 'reset' };
    });
    let r;
    try {
      // Each output file takes three requests (start, part, completion: pending uploads), each
      // of which may stall: about 30 s alone on 2 cores, more beside other suites.
      r = await lake(['run', '--input', 's3://lake/in', '--output', 's3://lake/out-stalled', '--request-timeout', '2', ...ep()], { timeout: 240_000 });
    } finally {
      s3.setFault(null);
    }
    assertOk(r, 'lake run s3 -> s3 with stalled requests');
    assert.ok(stalled >= 5, `only ${stalled} requests were stalled`);
    const back = join(tmp.dir, 'back-stalled');
    await download(s3, 'lake', 'out-stalled/', back);
    const got = await readLakeOutput(back);
    assert.deepEqual(got.problems, [], 'the output read back from S3 is well formed');
    assert.deepEqual(tableRows(got), reference, 'tables equal those of the local run');
  });

  test('unreachable output endpoint: one line naming it, quickly', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await lake(['run', '--input', local, '--output', 's3://lake/out', '--endpoint-url', `http://127.0.0.1:${port}`, '--max-attempts', '2']);
    const line = assertOneLineFailure(r, 'unreachable output endpoint');
    assert.ok(Date.now() - t0 < 10_000, 'took too long');
    assert.match(line, /cannot reach/);
    assert.match(line, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });
});
