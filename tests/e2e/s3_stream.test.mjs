// A Parquet file over the 16 MiB multipart threshold, streamed by lake's writer to s3rver (the
// unit-test binary's pq_stream_s3_object does the writing): it must go up as a multipart upload,
// arrive byte for byte equal to the same file written in memory, and read back in DuckDB. When the
// server refuses a part, the upload is aborted: no object and no upload in progress remain.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { LAKE_BIN, assertExitOk, gen, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput } from './lib/output.mjs';
import { backendGet, backendList, download, s3ClientEnv, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKETESTKEY00002';
const SECRET = 'lake-test-secret/stream+0123456789';
function report(problems, max = 15) {
  if (!problems.length) return;
  const more = problems.length > max ? `\n... and ${problems.length - max} more` : '';
  assert.fail(`${problems.length} problem(s):\n${problems.slice(0, max).join('\n')}${more}`);
}

// The unit-test binary beside lake does the writing; a missing one is a failure, never a skip.
const unit = join(dirname(LAKE_BIN), 'unit-tests');
if (!existsSync(unit)) throw new Error(`no unit-tests binary at ${unit}: build it (make unit)`);

describe('streamed Parquet to S3', () => {
  let s3;
  let tmp;
  let env;

  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    tmp = tempDir('lake-s3-stream-');
    env = s3ClientEnv(s3, KEY_ID, SECRET);
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  const runUnit = (extra) => spawnAsync(unit, ['pq_stream_s3'], { env: { ...env, ...extra } });

  test('a 20+ MiB file goes up in parts and reads back equal', async () => {
    const ref = join(tmp.dir, 'ref.parquet');
    const r = await runUnit({ LAKE_S3_STREAM_URL: 's3://lake/stream', LAKE_S3_STREAM_REF: ref });
    assert.match(r.stdout, /pq_stream_s3: ran/, `${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    const q = s3.stats.queries;
    assert.equal(q.filter((x) => x.startsWith('POST /lake/stream/big.parquet?uploads')).length, 1, 'one multipart upload');
    const parts = q.filter((x) => x.startsWith('PUT /lake/stream/big.parquet?partNumber='));
    assert.ok(parts.length >= 3, `parts: ${parts.length}`);
    assert.ok(q.some((x) => x.startsWith('POST /lake/stream/big.parquet?uploadId=')), 'completed');
    assert.deepEqual(await s3.uploads('lake'), [], 'no upload left in progress');
    assert.equal(s3.stats.signatureFailures, 0);

    const got = await backendGet(s3, '/lake/stream/big.parquet');
    assert.equal(got.status, 200);
    const want = readFileSync(ref);
    assert.ok(got.body.length > 16 << 20, `object of ${got.body.length} bytes`);
    assert.ok(Buffer.compare(got.body, want) === 0, 'the streamed object equals the in-memory file');
    const copy = join(tmp.dir, 'from-s3.parquet');
    writeFileSync(copy, got.body);

    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const one = async (sql) => (await (await conn.run(sql)).getRows())[0];
    const sum = (f) => one(`SELECT count(*)::BIGINT, count(name)::BIGINT, sum(hash(id, name, x))::HUGEINT::VARCHAR,
      min(id)::VARCHAR, max(x) FROM read_parquet('${f}')`);
    const a = await sum(copy);
    const b = await sum(ref);
    assert.equal(Number(a[0]), 1000000);
    assert.deepEqual(a, b);
    const groups = await one(`SELECT count(DISTINCT row_group_id)::BIGINT FROM parquet_metadata('${copy}')`);
    assert.ok(Number(groups[0]) > 4, 'several row groups');
  });

  test('a refused part aborts the upload and leaves nothing', async () => {
    let n = 0;
    s3.setFault((req) => (req.method === 'PUT' && req.url.includes('/lake/fail/big.parquet?partNumber=') && ++n === 3
      ? { status: 403, code: 'AccessDenied', message: 'refused by the test' } : null));
    try {
      const r = await runUnit({ LAKE_S3_STREAM_URL: 's3://lake/fail', LAKE_S3_STREAM_FAIL: '1' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /failed as expected: .*AccessDenied/);
    } finally {
      s3.setFault(null);
    }
    assert.ok(s3.stats.queries.some((x) => x.startsWith('DELETE /lake/fail/big.parquet?uploadId=')), 'aborted');
    assert.deepEqual(await s3.uploads('lake'), [], 'no upload left in progress');
    const got = await backendGet(s3, '/lake/fail/big.parquet');
    assert.equal(got.status, 404);
  });

  // The whole pipeline, local -> s3: without compression and dictionaries the November songplays
  // file is about 20 MB, so lake's load stage itself sends it as a multipart upload.
  test('lake run writes a table file over 16 MiB as a multipart upload; a failed part leaves the previous table', async () => {
    const input = join(tmp.dir, 'big-in');
    gen(input, { songs: 300, events: 300000, seed: 5, edgeCases: false });
    const oracle = await computeOracle(input);
    const args = ['run', '--input', input, '--output', 's3://lake/big-out', '--compression', 'none', '--no-dictionary'];
    assertExitOk(await lakeAsync(args, { env }), 'lake run local -> s3');
    // Every file is a multipart upload (completed at the commit); the big one has several parts.
    const partsOf = (n) => new Set(s3.stats.queries.filter((x) => new RegExp(`^PUT /lake/big-out/songplays/.*[?&]partNumber=${n}&`).test(x))
      .map((x) => /uploadId=([^&\s]+)/.exec(x)[1]));
    assert.equal(partsOf(2).size, 1, 'one songplays file went up in several parts');
    assert.ok(partsOf(1).size >= 1, 'the songplays files went up as multipart uploads');
    const back = join(tmp.dir, 'big-back');
    await download(s3, 'lake', 'big-out/', back);
    const got = await readLakeOutput(back, { codec: 'none' });
    report(compareWithOracle(got, oracle, got.problems));
    const before = (await backendList(s3, 'lake', 'big-out/')).map((o) => `${o.key} ${o.size} ${o.etag}`).sort();

    // Second run: the third part of the big upload is refused. The run fails, the upload is
    // aborted, and the bucket holds exactly the first run's table.
    let n = 0;
    s3.setFault((req) => (req.method === 'PUT' && /\/lake\/big-out\/songplays\/.*partNumber=/.test(req.url) && ++n === 3
      ? { status: 403, code: 'AccessDenied', message: 'refused by the test' } : null));
    let r;
    try {
      r = await lakeAsync(args, { env });
    } finally {
      s3.setFault(null);
    }
    assert.notEqual(r.status, 0, 'a refused part fails the run');
    assert.match(r.stderr, /AccessDenied|refused by the test/, r.stderr);
    assert.deepEqual(await s3.uploads('lake'), [], 'no upload left in progress');
    const after = (await backendList(s3, 'lake', 'big-out/')).map((o) => `${o.key} ${o.size} ${o.etag}`).sort();
    assert.deepEqual(after, before, 'the previous table is untouched');
  });
});
