// The S3 write options (issue 20: S3DistCp's --storageClass, --s3ServerSideEncryption,
// --multipartUploadChunkSize) as the server sees them: the proxy of lib/s3server.mjs observes
// every request, so these check that the headers arrive on PUT and CreateMultipartUpload (and on
// nothing else), that they are signed (the proxy refuses an unsigned x-amz-* header), what s3rver
// stored, and the size of every part of an upload.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertExitOk, gen, lakeAsync, spawnAsync, tempDir, LAKE_BIN } from './lib/lake.mjs';
import { s3ClientEnv, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKEWRITEOPTS001';
const SECRET = 'lake-write-options-secret/0123456789';
const MiB = 1 << 20;

describe('S3 write options', () => {
  let s3, tmp, env, seen;

  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    env = s3ClientEnv(s3, KEY_ID, SECRET);
    seen = [];
    s3.setObserver((req, body) => seen.push({ method: req.method, url: req.url, headers: req.headers, len: body.length }));
    tmp = tempDir('lake-s3-write-');
    gen(join(tmp.dir, 'in'), { songs: 40, events: 400, seed: 3 });
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  const kind = (r) => {
    const [path, query = ''] = r.url.split('?');
    if (r.method === 'POST' && /(^|&)uploads(=|&|$)/.test(query)) return { op: 'CreateMultipartUpload', path };
    if (r.method === 'PUT' && /uploadId=/.test(query)) return { op: 'UploadPart', path, part: Number(/partNumber=(\d+)/.exec(query)[1]) };
    if (r.method === 'PUT') return { op: 'PutObject', path };
    return { op: `${r.method} ${query ? 'with query' : ''}`, path };
  };
  const storedClass = async (path) => (await fetch(`${s3.backend}${path}`, { method: 'HEAD' })).headers.get('x-amz-storage-class');

  test('unit-tests s3_write_options: headers on the requests that make objects, part sizes of 5 MiB', async () => {
    const unit = join(dirname(LAKE_BIN), 'unit-tests');
    const from = seen.length;
    const r = await spawnAsync(unit, ['s3_write_options'], { env: { ...env, LAKE_S3_WRITE_URL: 's3://lake/w' } });
    assert.match(r.stdout, /s3_write_options: ran/, `${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /1 passed, 0 failed/);
    assert.equal(s3.stats.signatureFailures, 0, 'every request with the new headers was signed');
    const reqs = seen.slice(from).map((x) => ({ ...x, ...kind(x) }));
    const creating = reqs.filter((x) => x.op === 'PutObject' || x.op === 'CreateMultipartUpload');
    assert.deepEqual(creating.map((x) => `${x.op} ${x.path}`).sort(), [
      'CreateMultipartUpload /lake/w/put/big.bin', 'CreateMultipartUpload /lake/w/stream/big.bin',
      'PutObject /lake/w/_lake/journal', 'PutObject /lake/w/small.json']);
    for (const x of creating) {
      assert.equal(x.headers['x-amz-server-side-encryption'], 'AES256', `${x.op} ${x.path}`);
      assert.match(x.headers.authorization, /SignedHeaders=[^,]*x-amz-server-side-encryption/);
      const lakes = x.path.includes('/_lake/');
      assert.equal(x.headers['x-amz-storage-class'], lakes ? undefined : 'STANDARD_IA', `${x.op} ${x.path}`);
      if (!lakes) assert.match(x.headers.authorization, /SignedHeaders=[^,]*x-amz-storage-class/);
    }
    for (const x of reqs.filter((y) => !creating.includes(y))) {
      assert.equal(x.headers['x-amz-storage-class'], undefined, `${x.op} ${x.path} carries no storage class`);
      assert.equal(x.headers['x-amz-server-side-encryption'], undefined, `${x.op} ${x.path} carries no SSE header`);
    }
    for (const key of ['put/big.bin', 'stream/big.bin']) {
      const parts = reqs.filter((x) => x.op === 'UploadPart' && x.path === `/lake/w/${key}` && x.len > 0)
        .sort((a, b) => a.part - b.part).map((x) => x.len / MiB);
      assert.deepEqual(parts, [5, 5, 5, 5, 3], `${key}: part sizes in MiB`);
    }
    assert.equal(await storedClass('/lake/w/small.json'), 'STANDARD_IA');
    assert.equal(await storedClass('/lake/w/stream/big.bin'), 'STANDARD_IA', 'kept from CreateMultipartUpload');
  });

  test('lake run --storageClass --s3ServerSideEncryption: the output objects carry them, _ names keep the default', async () => {
    const from = seen.length;
    const r = await lakeAsync(['run', '--input', join(tmp.dir, 'in'), '--output', 's3://lake/out', '--quiet',
      '--storageClass', 'REDUCED_REDUNDANCY', '--s3ServerSideEncryption', '--multipartUploadChunkSize', '5'], { env });
    assertExitOk(r, 'lake run with write options');
    assert.equal(s3.stats.signatureFailures, 0);
    const creating = seen.slice(from).map((x) => ({ ...x, ...kind(x) }))
      .filter((x) => x.op === 'PutObject' || x.op === 'CreateMultipartUpload');
    const data = creating.filter((x) => x.path.endsWith('.parquet'));
    assert.ok(data.length >= 5, `a file per table at least, saw ${data.length}`);
    for (const x of creating) {
      assert.equal(x.headers['x-amz-server-side-encryption'], 'AES256', x.path);
      const hidden = x.path.split('/').some((c) => c.startsWith('_'));
      assert.equal(x.headers['x-amz-storage-class'], hidden ? undefined : 'REDUCED_REDUNDANCY', x.path);
    }
    assert.ok(creating.some((x) => x.path.endsWith('/_SUCCESS')), 'the markers were written too');
    assert.equal(await storedClass(data[0].path), 'REDUCED_REDUNDANCY');
  });

  test('bad values are usage errors naming the flag; a local output ignores the options', async () => {
    const cases = [
      [['--storageClass', 'standard'], /^lake run: --storageClass 'standard' is not an S3 storage class \(one of STANDARD, /],
      [['--multipartUploadChunkSize', '4'], /^lake run: --multipartUploadChunkSize is in MiB, between 5 and 5120/],
      [['--multipartUploadChunkSize', '5121'], /between 5 and 5120/],
      [['--s3ServerSideEncryption=yes'], /^lake run: --s3ServerSideEncryption takes no value/],
    ];
    for (const [args, pattern] of cases) {
      const r = await lakeAsync(['run', '--input', join(tmp.dir, 'in'), '--output', 's3://lake/bad', ...args], { env });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
    const out = join(tmp.dir, 'local-out');
    assertExitOk(await lakeAsync(['run', '--input', join(tmp.dir, 'in'), '--output', out, '--quiet',
      '--storageClass', 'GLACIER', '--s3ServerSideEncryption', '--multipartUploadChunkSize', '64'], { env }), 'local output');
  });
});
