// The command line against S3 (issue 22, "the command line behaves as it says"): lake inspect
// takes the store options lake run takes (--endpoint-url, --no-sign-request, retries, --verbose)
// and reads the same report from S3 as from disk; lake gen refuses a prefix that already holds
// data unless --force. The test S3 is s3rver behind a SigV4-checking proxy (lib/s3server.mjs);
// no AWS_ENDPOINT_URL is set, so lake finds the test S3 only through --endpoint-url.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertExitOk, assertOneLineError, gen, lakeAsync, lakeOk, run, tempDir } from './lib/lake.mjs';
import { backendList, backendPut, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKECLITESTKEY01';
const SECRET = 'lake-cli-test-secret/NeverPrintMe+012345';

/** The report without where it came from: paths are the only field that may differ. */
function withoutPaths(doc) {
  return { ...doc, path: undefined, files: doc.files.map((f) => ({ ...f, path: undefined })) };
}

describe('lake inspect and lake gen with S3 options', () => {
  let s3, tmp, out, songsDir, songsFiles, ep;
  const lake = (args, opts) => lakeAsync(args, opts);

  before(async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent/lake-test-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials',
    });
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_S3', 'AWS_MAX_ATTEMPTS']) delete process.env[k];
    s3 = await startS3({ buckets: ['lake'], anonymousBuckets: ['public'], secrets: { [KEY_ID]: SECRET } });
    ep = ['--endpoint-url', s3.endpoint];
    tmp = tempDir('lake-s3-cli-');
    gen(join(tmp.dir, 'in'), { songs: 40, events: 400, seed: 8 });
    out = join(tmp.dir, 'out');
    assertExitOk(run(join(tmp.dir, 'in'), out, ['--quiet']), 'local run');
    songsDir = join(out, 'songs');
    songsFiles = readdirSync(songsDir, { recursive: true }).filter((f) => f.endsWith('.parquet')).sort();
    for (const bucket of ['lake', 'public']) {
      for (const f of songsFiles) {
        const key = `/${bucket}/t/songs/${f.split('/').map(encodeURIComponent).join('/')}`;
        assert.equal(await backendPut(s3, key, readFileSync(join(songsDir, f))), 200, key);
      }
    }
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  test('lake inspect s3://... --endpoint-url reads the same report as from disk, one file or a table', async () => {
    const local = JSON.parse(lakeOk(['inspect', '--json', songsDir]).stdout);
    const r = await lake(['inspect', '--json', 's3://lake/t/songs', ...ep, '--max-attempts', '2',
      '--request-timeout', '10', '--max-concurrency', '4']);
    assertExitOk(r, 'inspect an S3 table');
    const remote = JSON.parse(r.stdout);
    assert.equal(remote.path, 's3://lake/t/songs');
    assert.equal(remote.files.length, songsFiles.length);
    assert.deepEqual(withoutPaths(remote), withoutPaths(local));

    const one = `s3://lake/t/songs/${songsFiles[0]}`;
    const f = await lake(['inspect', one, '--json', ...ep]);
    assertExitOk(f, 'inspect one S3 file');
    assert.deepEqual(withoutPaths(JSON.parse(f.stdout)),
      withoutPaths(JSON.parse(lakeOk(['inspect', '--json', join(songsDir, songsFiles[0])]).stdout)));
  });

  test('lake inspect --no-sign-request reads a public bucket anonymously; --verbose logs each request', async () => {
    const before = s3.stats.queries.length;
    const r = await lake(['inspect', 's3://public/t/songs', '--no-sign-request', '--verbose', ...ep]);
    assertExitOk(r, 'anonymous inspect');
    assert.match(r.stdout, /total: \d+ files?, \d+ rows/);
    const sent = s3.stats.queries.length - before;
    assert.ok(sent >= 1 + songsFiles.length, `one listing and a GET per file, saw ${sent} requests`);
    assert.equal(s3.stats.unsigned.filter((i) => i >= before).length, sent, 'every request was unsigned');
    assert.match(r.stderr, /^lake s3: GET /m, '--verbose prints the requests');
    assert.ok(!r.stderr.includes(SECRET));
  });

  test('lake gen refuses an S3 prefix that holds song_data/ or log_data/ unless --force, which replaces them', async () => {
    const listing = async (prefix) => (await backendList(s3, 'lake', prefix))
      .map((o) => `${o.key.slice(prefix.length)} ${o.size} ${o.etag}`).sort();
    const args = (seed) => ['--songs', '20', '--events', '200', '--seed', String(seed), ...ep];
    assertExitOk(await lake(['gen', 's3://lake/g', ...args(1), '--bad-records']), 'first gen');
    const first = await listing('g/');
    const again = await lake(['gen', 's3://lake/g', ...args(2)]);
    assert.equal(assertOneLineError(again, 'second gen'), 'lake gen: s3://lake/g already holds song_data/ and log_data/: ' +
      'new files would mix with the old ones (lake gen --force replaces them)');
    assert.deepEqual(await listing('g/'), first, 'the refused gen changed the prefix');

    const forced = await lake(['gen', 's3://lake/g', ...args(2), '--force']);
    assertExitOk(forced, 'gen --force');
    assert.match(forced.stdout, /^lake gen: wrote \d+ song records in \d+ files and \d+ events in \d+ files .* to s3:\/\/lake\/g\n/);
    assertExitOk(await lake(['gen', 's3://lake/g-fresh', ...args(2)]), 'fresh gen');
    assert.deepEqual(await listing('g/'), await listing('g-fresh/'), '--force left old objects or wrote others');
  });

  test('a bad store option of lake inspect is a usage error naming it', async () => {
    const r = await lake(['inspect', 's3://lake/t/songs', '--max-attempts', '0', ...ep]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^lake inspect: --max-attempts must be between 1 and 100\n/);
    const keys = await backendList(s3, 'lake', 't/');
    assert.equal(keys.length, songsFiles.length, 'nothing written by inspect');
  });
});
