// End-to-end: inputs that must not trap a run (issue 18, defects 5, 6 and 9). Hidden names are
// skipped as Spark skips them, a directory symlink loop fails naming the loop, a missing dataset
// or a run of mostly bad records fails and leaves the previous tables as they were.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeOracle } from './lib/oracle.mjs';
import { datasetKeys, decompress } from './lib/input.mjs';
import { compareWithOracle, readLakeOutput, readRejected, snapshotDir } from './lib/output.mjs';
import { gen, LAKE_BIN, lakeAsync, run, tempDir } from './lib/lake.mjs';
import { startS3 } from './lib/s3server.mjs';

function assertRunOk(r, what) {
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

function assertFails(r, what) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}\nstderr:\n${r.stderr}`);
  assert.equal(r.status, 1, `${what}: exited ${r.status}, expected 1\nstderr:\n${r.stderr}`);
}

async function assertOracle(out, oracle, what) {
  const lake = await readLakeOutput(out);
  const problems = compareWithOracle(lake, oracle, lake.problems);
  assert.deepEqual(problems.slice(0, 10), [], `${what}: tables differ from the oracle`);
}

function put(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

const firstKey = (root, dataset) => datasetKeys(root, dataset).find((k) => k.endsWith('.json'));

describe('hidden names (_ and .) are not input', () => {
  let tmp;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp?.cleanup());

  test('files and directories starting with _ or . at any level are skipped; the root may be under _', async () => {
    // the input root itself sits under a '_' directory: only names below the datasets count
    const input = join(tmp.dir, '_stage', 'in');
    gen(input, { songs: 150, events: 1500, seed: 61 });
    const oracle = await computeOracle(input);
    const song = readFileSync(join(input, firstKey(input, 'song_data')));
    const log = readFileSync(join(input, firstKey(input, 'log_data')));
    // Each of these would add or change rows if it were read (copies duplicate plays and users;
    // a song file under a new id adds a song; garbage adds bad records).
    put(join(input, 'log_data/_tmp/x.json'), log);
    put(join(input, 'log_data/.hidden.json'), log);
    put(join(input, 'log_data/2018/_temporary/0/task/part-0.json'), log);
    put(join(input, 'log_data/2018/.staging/part-1.json'), 'not json at all\n');
    put(join(input, 'log_data/_SUCCESS'), '');
    put(join(input, 'song_data/_rejected/part-0.json'), song.toString().replace(/"song_id":"[^"]*"/, '"song_id":"SOHIDDEN"'));
    put(join(input, 'song_data/A/.git/objects/x.json'), '{"broken": ');
    put(join(input, 'song_data/A/_x.json.gz'), 'not gzip');
    const out = join(tmp.dir, 'out');
    assertRunOk(run(input, out, ['--threads', '2']), 'lake run');
    await assertOracle(out, oracle, 'with hidden names');
    assert.deepEqual(readRejected(out).records.map((r) => r.source), []);
  });

  test('an output written inside the input never feeds the next run', async () => {
    const input = join(tmp.dir, 'in-bad');
    gen(input, { songs: 100, events: 1000, seed: 62, badRecords: true });
    const oracle = await computeOracle(input);
    // Rejects are JSON under <out>/_rejected/: with the output inside log_data they would be
    // read back as events by the next run and grow the rejects every time.
    const out = join(input, 'log_data', 'lake-out');
    assertRunOk(run(input, out), 'first run');
    const first = readRejected(out).records.length;
    assert.ok(first > 0, 'generated bad records are rejected');
    assertRunOk(run(input, out), 'second run');
    assert.equal(readRejected(out).records.length, first, 'the second run read its own rejects');
    await assertOracle(out, oracle, 'second run');
  });
});

// A binary built with AddressSanitizer reserves terabytes of address space; others run under a
// virtual memory limit, so a walk that loops (the defect) fails here instead of eating the host.
function isAsan(bin) {
  const r = spawnSync('ldd', [bin], { encoding: 'utf8' });
  return /libasan/.test(r.stdout || '');
}

function runLimited(args) {
  const limit = isAsan(LAKE_BIN) ? 'unlimited' : String(4 << 20); // KiB: 4 GiB
  const r = spawnSync('sh', ['-c', `ulimit -v ${limit}; exec "$0" "$@"`, LAKE_BIN, ...args], {
    encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20,
  });
  if (r.error && r.error.code !== 'ETIMEDOUT') throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('directory symlink loops', () => {
  let tmp;
  let input;
  let oracle;
  before(async () => {
    tmp = tempDir();
    input = join(tmp.dir, 'in');
    gen(input, { songs: 120, events: 1200, seed: 63, edgeCases: false });
    oracle = await computeOracle(input);
  });
  after(() => tmp?.cleanup());

  test('a link back to an ancestor fails the run, naming the link and the ancestor', async () => {
    const out = join(tmp.dir, 'out-loop');
    assertRunOk(run(input, out), 'clean run');
    const snap = await snapshotDir(out);
    for (const [dataset, link, target, ancestor] of [
      ['log_data', 'log_data/2018/loop', '..', 'log_data'],
      ['song_data', `${dirname(firstKey(input, 'song_data'))}/up`, input, ''],
    ]) {
      symlinkSync(target, join(input, link));
      let r;
      try {
        r = runLimited(['run', '--input', input, '--output', out, '--threads', '2']);
      } finally {
        rmSync(join(input, link));
      }
      assertFails(r, `loop ${link}`);
      const msg = r.stderr.trim();
      assert.match(msg, /directory loop/, msg);
      assert.ok(msg.includes(`${join(input, link)} -> ${target}`), `names the link: ${msg}`);
      assert.ok(msg.includes(`its ancestor ${join(input, ancestor).replace(/\/$/, '')}`), `names the ancestor: ${msg}`);
      assert.ok(msg.includes(`${dataset}/`), msg);
      assert.deepEqual(await snapshotDir(out), snap, 'previous tables changed');
    }
  });

  test('links to files and to directories that are no loop are followed', async () => {
    // move a month of logs and one song directory out of the input and link them back in
    const aside = join(tmp.dir, 'aside');
    mkdirSync(aside);
    const month = join(input, 'log_data/2018/11');
    renameSync(month, join(aside, '11'));
    symlinkSync(join(aside, '11'), month);
    const one = join(input, firstKey(input, 'song_data'));
    copyFileSync(one, join(aside, 'song.json'));
    rmSync(one);
    symlinkSync(join(aside, 'song.json'), one);
    // a second link to the same directory, outside the datasets: no loop, and not input
    symlinkSync(join(aside, '11'), join(input, 'elsewhere'));
    const out = join(tmp.dir, 'out-links');
    const r = runLimited(['run', '--input', input, '--output', out, '--threads', '2']);
    assertRunOk(r, 'run through links');
    await assertOracle(out, oracle, 'through links');
  });
});

describe('garbage never replaces good tables with exit 0', () => {
  let tmp;
  let input;
  let out;
  let snap;
  before(async () => {
    tmp = tempDir();
    input = join(tmp.dir, 'in');
    gen(input, { songs: 100, events: 1000, seed: 64 });
    out = join(tmp.dir, 'out');
    assertRunOk(run(input, out), 'clean run');
    snap = await snapshotDir(out);
  });
  after(() => tmp?.cleanup());

  test('a misspelt or missing dataset is an error naming what the input root holds', async () => {
    renameSync(join(input, 'log_data'), join(input, 'logdata'));
    let r = run(input, out);
    assertFails(r, 'logdata/');
    assert.match(r.stderr, /no log_data\/ under .*in \(found: logdata\/, song_data\/\)/, r.stderr);
    assert.deepEqual(await snapshotDir(out), snap, 'previous tables changed');

    renameSync(join(input, 'song_data'), join(input, 'songs'));
    r = run(input, out);
    assertFails(r, 'no datasets');
    assert.match(r.stderr, /no song_data\/ nor log_data\/ under .*in \(found: logdata\/, songs\/\)/, r.stderr);
    renameSync(join(input, 'songs'), join(input, 'song_data'));

    // there, but nothing in it that is input
    mkdirSync(join(input, 'log_data/_tmp'), { recursive: true });
    writeFileSync(join(input, 'log_data/README.md'), 'logs go here\n');
    writeFileSync(join(input, 'log_data/_tmp/x.json'), '{}\n');
    r = run(input, out);
    assertFails(r, 'empty log_data/');
    assert.match(r.stderr, /in\/log_data\/ holds no input objects/, r.stderr);
    assert.deepEqual(await snapshotDir(out), snap, 'previous tables changed');

    r = run(join(tmp.dir, 'nowhere'), out);
    assertFails(r, 'missing input root');
    assert.equal(r.stderr, `lake run: --input ${join(tmp.dir, 'nowhere')}: no such directory\n`);

    renameSync(join(input, 'logdata'), join(input, 'log_data2'));
    rmSync(join(input, 'log_data'), { recursive: true });
    renameSync(join(input, 'log_data2'), join(input, 'log_data'));
    assertRunOk(run(input, join(tmp.dir, 'out-again')), 'restored input');
  });

  test('a run with most records bad fails, saying how many of how many, unless --max-bad-records allows it', async () => {
    const bad = join(tmp.dir, 'in-bad');
    gen(bad, { songs: 100, events: 1000, seed: 64 });
    // every event cut short (as by a broken upstream export): none is a JSON object
    let events = 0;
    for (const k of datasetKeys(bad, 'log_data')) {
      const p = join(bad, k);
      const lines = decompress(k, readFileSync(p)).toString('utf8').split('\n').filter((l) => l.trim());
      events += lines.length;
      rmSync(p);
      writeFileSync(p.replace(/\.(gz|zst)$/, ''), lines.map((l) => l.slice(0, -1)).join('\n') + '\n');
    }
    const keys = datasetKeys(bad, 'log_data');
    const r = run(bad, out);
    assertFails(r, 'mostly bad');
    const m = /(\d+) of (\d+) log_data\/ records are bad, more than the default limit of 50%.*; first: (\S+) line (\d+): /.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.ok(Number(m[1]) > Number(m[2]) / 2 && Number(m[2]) === events, r.stderr);
    assert.equal(m[3], keys[0], 'names the first bad record');
    assert.deepEqual(await snapshotDir(out), snap, 'previous tables changed');

    // an explicit count replaces the default fraction
    const ok = run(bad, join(tmp.dir, 'out-allowed'), ['--max-bad-records', String(events)]);
    assertRunOk(ok, '--max-bad-records N');
    const low = run(bad, join(tmp.dir, 'out-low'), ['--max-bad-records', '5']);
    assertFails(low, '--max-bad-records 5');
    assert.match(low.stderr, /\d+ of \d+ records are bad, more than --max-bad-records 5; first: log_data\//, low.stderr);
  });
});

describe('the same rules on S3 (s3rver)', () => {
  const KEY_ID = 'AKIALAKEHYGIENE00001';
  const SECRET = 'lake-hygiene-secret/NeverPrintMe';
  let s3;
  let tmp;
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/lake-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials',
  };
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3']) delete env[k];
  const lakeS3 = (args) => lakeAsync([...args, '--endpoint-url', s3.endpoint], { env });
  // objects are put straight into s3rver (the proxy in front of it checks lake's signatures)
  async function putObject(key, body) {
    const path = '/lake/' + key.split('/').map(encodeURIComponent).join('/');
    const r = await fetch(`${s3.backend}${path}`, { method: 'PUT', body });
    assert.equal(r.status, 200, `PUT ${key}`);
  }

  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    tmp = tempDir();
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  test('hidden keys are skipped; a misspelt dataset names what the prefix holds', async () => {
    const local = join(tmp.dir, 'in');
    gen(local, { songs: 100, events: 1000, seed: 65 });
    const oracle = await computeOracle(local);
    assertExitOkS3(await lakeS3(['gen', 's3://lake/in', '--songs', '100', '--events', '1000', '--seed', '65']), 'gen to S3');
    const log = readFileSync(join(local, firstKey(local, 'log_data')));
    await putObject('in/log_data/_tmp/x.json', log);
    await putObject('in/log_data/2018/.hidden.json', log);
    await putObject('in/song_data/_temporary/0/part.json', 'not json');
    await putObject('in/log_data/_SUCCESS', '');
    const out = join(tmp.dir, 'out-s3');
    assertExitOkS3(await lakeS3(['run', '--input', 's3://lake/in', '--output', out]), 'run from S3');
    await assertOracle(out, oracle, 'S3 input with hidden keys');

    await putObject('typo/song_data/a.json', readFileSync(join(local, firstKey(local, 'song_data'))));
    await putObject('typo/logdata/b.json', log);
    await putObject('typo/README', 'x');
    const r = await lakeS3(['run', '--input', 's3://lake/typo', '--output', join(tmp.dir, 'out-typo')]);
    assertFails(r, 'S3 logdata/');
    assert.match(r.stderr, /no log_data\/ under s3:\/\/lake\/typo \(found: README, logdata\/, song_data\/\)/, r.stderr);
  });
});

function assertExitOkS3(r, what) {
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}\nstderr:\n${r.stderr}`);
}
