// lake under Open MPI: `mpirun -np N lake run ...` on this machine (ranks oversubscribed on its
// cores), against a local output and against s3rver. Every rank count must write the files one
// process writes, byte for byte (run uuids in names and _SUCCESS aside), and those tables must
// equal the DuckDB oracle of SPEC.md. Failures: a rank killed with -9 before the commit, and a
// rank that meets an object it cannot read, must leave the previous tables as they were.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, assertExitOk, gen, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput, snapshotDir } from './lib/output.mjs';
import { download, startS3 } from './lib/s3server.mjs';
import { assertValid } from './lib/summary_schema.mjs';
import { MPI_ENV } from './lib/mpi_env.mjs';

function mpirun(np, args, { env = {}, timeout = 300_000 } = {}) {
  return spawnAsync('mpirun', ['--oversubscribe', '-np', String(np), LAKE_BIN, ...args],
    { env: { ...process.env, ...MPI_ENV, ...env }, timeout });
}

/** Every file of an output but the lock and journal area, run uuids masked: path -> sha256. */
const digestTree = (dir) => snapshotDir(dir, { exclude: (rel) => rel.startsWith('_lake'), maskRunIds: true });

function assertSameFiles(got, want, what) {
  const names = new Set([...Object.keys(got), ...Object.keys(want)]);
  const differ = [...names].filter((n) => got[n] !== want[n]).sort();
  assert.ok(Object.keys(want).length > 20, `${what}: the reference output has files`);
  assert.deepEqual(differ, [], `${what}: files that differ from one process's (or exist in one only)`);
}

async function assertOracle(out, oracle, what) {
  const lake = await readLakeOutput(out);
  const problems = [...lake.problems];
  compareWithOracle(lake, oracle, problems);
  assert.deepEqual(problems, [], `${what}: tables against the oracle`);
}

/** The job's summary is printed once, by rank 0, and lists every rank. */
function assertSummary(r, np, what) {
  const heads = r.stdout.split('\n').filter((l) => l.startsWith('lake run '));
  assert.equal(heads.length, 1, `${what}: one summary\n${r.stdout}`);
  if (np > 1) {
    assert.match(r.stdout, new RegExp(`ranks: ${np} `), `${what}: ranks line`);
    for (let k = 0; k < np; k++) assert.match(r.stdout, new RegExp(`rank ${k} +\\d+ records`), `${what}: rank ${k}`);
  }
}

describe('mpirun -np N lake run, local output', () => {
  let tmp;
  let input;
  let oracle;
  before(async () => {
    tmp = tempDir('lake-mpi-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 400, events: 6000, seed: 19, badRecords: true });
    oracle = await computeOracle(input);
  });
  after(() => tmp?.cleanup());

  // The oracle reader expects one file per partition (c000): with --max-rows-per-file the check
  // is byte identity with one process, whose split files other tests compare.
  // Every rank count with the defaults; the variants with 2 and 3 ranks (an even and an odd
  // split), which keeps the file's time down under ASan.
  for (const [name, opts, withOracle, counts] of [['defaults', [], true, [1, 2, 3, 4]],
    ['spilling', ['--spill-rows', '64'], true, [2, 3]], ['small files', ['--max-rows-per-file', '150'], false, [2, 3]]]) {
    test(`np = ${counts.join(', ')} write one process's files (${name})`, async () => {
      const ref = join(tmp.dir, `ref-${name}`);
      assertExitOk(await lakeAsync(['run', '--input', input, '--output', ref, '-q', ...opts]), 'single process');
      const want = await digestTree(ref);
      assert.ok(Object.keys(want).some((k) => k.startsWith('_rejected/')), 'the input has bad records');
      for (const np of counts) {
        const out = join(tmp.dir, `np${np}-${name}`);
        const r = await mpirun(np, ['run', '--input', input, '--output', out, '--threads', '1', ...opts]);
        assertExitOk(r, `mpirun -np ${np}`);
        assertSummary(r, np, `np ${np}`);
        assertSameFiles(await digestTree(out), want, `np ${np}`);
        if (withOracle) await assertOracle(out, oracle, `np ${np}`);
      }
    });
  }

  test('--summary-json under mpirun: the job\'s figures and one entry per rank', async () => {
    const out = join(tmp.dir, 'json-out');
    const file = join(tmp.dir, 'summary.json');
    const single = join(tmp.dir, 'summary-single.json');
    assertExitOk(await lakeAsync(['run', '--input', input, '--output', join(tmp.dir, 'json-ref'), '-q', '--summary-json', single]), 'single');
    assertExitOk(await mpirun(3, ['run', '--input', input, '--output', out, '-q', '--summary-json', file]), 'mpirun -np 3');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const one = JSON.parse(readFileSync(single, 'utf8'));
    assertValid(doc);
    assert.equal(doc.cluster.ranks, 3);
    assert.deepEqual(doc.cluster.per_rank.map((r) => r.rank), [0, 1, 2]);
    assert.deepEqual(one.cluster, { ranks: 1, per_rank: [] });
    // The job's counts are those of one process.
    for (const k of ['input', 'records', 'rejects', 'bytes_written']) assert.deepEqual(doc[k], one[k], k);
    for (const [t, v] of Object.entries(one.tables)) {
      for (const k of ['rows', 'files', 'bytes', 'partitions']) assert.equal(doc.tables[t][k], v[k], `${t}.${k}`);
      assert.equal(doc.tables[t].largest_partition?.rows, v.largest_partition?.rows, `${t} largest`);
      assert.equal(doc.tables[t].smallest_partition?.rows, v.smallest_partition?.rows, `${t} smallest`);
      assert.deepEqual(doc.tables[t].partition_rows_histogram, v.partition_rows_histogram, `${t} partition sizes`);
    }
    // Each rank read a share: the shares add up to the input, the rows written to the tables'.
    const sum = (k) => doc.cluster.per_rank.reduce((a, r) => a + r[k], 0);
    assert.equal(sum('bytes_read'), one.input.bytes);
    assert.equal(sum('records'), one.records.songs + one.records.events);
    assert.equal(sum('rows'), Object.values(one.tables).reduce((a, t) => a + t.rows, 0));
    for (const r of doc.cluster.per_rank) {
      assert.ok(r.bytes_read > 0 && r.bytes_sent > 0 && r.peak_rss > 1e6, `rank ${r.rank}: ${JSON.stringify(r)}`);
    }
  });

  test('--verbose under mpirun: the settings and the detail once, from rank 0', async () => {
    const alone = await lakeAsync(['run', '--input', input, '--output', join(tmp.dir, 'verbose-1'), '-q', '--verbose']);
    assertExitOk(alone, 'alone');
    const r = await mpirun(3, ['run', '--input', input, '--output', join(tmp.dir, 'verbose-3'), '-q', '--verbose']);
    assertExitOk(r, 'mpirun -np 3 --verbose');
    const count = (text, re) => text.split('\n').filter((l) => re.test(l)).length;
    const settings = /^lake run: reading .*, writing /;
    const stages = /^lake run [0-9a-f-]{36}: stages$/;
    assert.equal(count(alone.stderr, settings), 1, `alone: the settings:\n${alone.stderr}`);
    assert.equal(count(alone.stderr, stages), 1, `alone: the detail:\n${alone.stderr}`);
    assert.equal(count(r.stderr, settings), 1, `the settings once:\n${r.stderr}`);
    assert.equal(count(r.stderr, stages), 1, `the detail once:\n${r.stderr}`);
  });

  test('a run alone never loads Open MPI; under mpirun it does', async () => {
    const out = join(tmp.dir, 'alone');
    // LD_DEBUG=files names every library the loader opens, dlopen'ed ones included.
    const alone = await lakeAsync(['run', '--input', input, '--output', out, '-q'],
      { env: { ...process.env, LD_DEBUG: 'files' } });
    assertExitOk(alone, 'lake run alone');
    assert.doesNotMatch(alone.stderr, /libmpi/, 'a process alone does not load libmpi');
    const ranked = await mpirun(1, ['run', '--input', input, '--output', out, '-q'], { env: { LD_DEBUG: 'files' } });
    assertExitOk(ranked, 'mpirun -np 1');
    assert.match(ranked.stderr, /file=libmpi\.so\.40/, 'under mpirun lake loads libmpi');
  });

  test('a rank killed with -9 before the commit: the job fails, the previous tables stay, the next run succeeds', async () => {
    const out = join(tmp.dir, 'killed');
    assertExitOk(await lakeAsync(['run', '--input', input, '--output', out, '-q']), 'previous run');
    const before = await snapshotDir(out, { exclude: (rel) => rel.startsWith('_lake') });
    const p = spawn('mpirun', ['--oversubscribe', '-np', '3', LAKE_BIN, 'run', '--input', input, '--output', out],
      { env: { ...process.env, ...MPI_ENV, LAKE_TEST_RANK_PAUSE: '1' } });
    let stderr = '';
    const paused = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rank 1 never paused:\n${stderr}`)), 120_000);
      p.stderr.setEncoding('utf8').on('data', (d) => {
        stderr += d;
        const m = /rank 1 paused before the commit .*pid (\d+)/.exec(stderr);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    const exited = new Promise((resolve) => p.on('close', (status, signal) => resolve({ status, signal })));
    const pid = await paused;
    // Its share is staged and the other ranks wait for it at the commit decision.
    assert.ok(existsSync(join(out, '_temporary')), 'the job staged files before the kill');
    process.kill(pid, 'SIGKILL');
    const { status } = await exited;
    assert.notEqual(status, 0, `mpirun must fail when a rank dies\n${stderr}`);
    assert.deepEqual(await snapshotDir(out, { exclude: (rel) => rel.startsWith('_lake') || rel.startsWith('_temporary') }),
      before, 'the previous tables are intact');
    await assertOracle(out, oracle, 'previous tables after the kill');
    const next = await mpirun(3, ['run', '--input', input, '--output', out, '-q']);
    assertExitOk(next, 'the next run');
    assert.ok(!existsSync(join(out, '_temporary')), 'the next run cleaned the killed job\'s staging');
    await assertOracle(out, oracle, 'tables of the next run');
  });

  test('a rank that cannot read an object: every rank stops with its error, nothing committed', async () => {
    const bad = join(tmp.dir, 'in-bad');
    gen(bad, { songs: 100, events: 2000, seed: 5 });
    // Sorts last, so it is in the last rank's share.
    writeFileSync(join(bad, 'log_data', 'zzzz-broken.json.gz'), Buffer.from('this is not gzip data at all'));
    const out = join(tmp.dir, 'bad-out');
    assertExitOk(await lakeAsync(['run', '--input', input, '--output', out, '-q']), 'previous run');
    const before = await snapshotDir(out, { exclude: (rel) => rel.startsWith('_lake') });
    const r = await mpirun(4, ['run', '--input', bad, '--output', out]);
    assert.notEqual(r.status, 0, 'the job fails');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('lake run: '));
    assert.equal(lines.length, 1, `one error line, from rank 0 for the job:\n${r.stderr}`);
    assert.match(lines[0], /^lake run: rank 3: reading log object log_data\/zzzz-broken\.json\.gz: /);
    assert.equal(r.stdout, '', 'no summary');
    assert.deepEqual(await snapshotDir(out, { exclude: (rel) => rel.startsWith('_lake') }), before,
      'the previous tables are as they were');
  });
});

describe('mpirun -np N lake run against S3 (s3rver)', () => {
  let s3;
  let tmp;
  let oracle;
  const KEY_ID = 'AKIALAKEMPITEST00001';
  const SECRET = 'lake-mpi-test-secret/NeverPrintMe';
  let env;
  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    env = {
      AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: s3.endpoint,
      AWS_CONFIG_FILE: '/nonexistent/lake-test-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials',
    };
    tmp = tempDir('lake-mpi-s3-');
    const local = join(tmp.dir, 'in');
    gen(local, { songs: 200, events: 3000, seed: 23, badRecords: true });
    oracle = await computeOracle(local);
    const up = await lakeAsync(['gen', 's3://lake/in', '--songs', '200', '--events', '3000', '--seed', '23', '--bad-records'],
      { env: { ...process.env, ...env } });
    assertExitOk(up, 'lake gen to S3');
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  test('np = 1..4 from and to S3 write one process\'s objects', async () => {
    const single = await lakeAsync(['run', '--input', 's3://lake/in', '--output', 's3://lake/ref', '-q'],
      { env: { ...process.env, ...env } });
    assertExitOk(single, 'single process');
    const ref = join(tmp.dir, 'ref');
    await download(s3, 'lake', 'ref/', ref);
    const want = await digestTree(ref);
    for (let np = 1; np <= 4; np++) {
      // Under the ASan build, LeakSanitizer's own tracer (the thread that stops the others for the
      // leak check at exit) dies with SIGSEGV in ranks that used S3, every time in this test and
      // never in a single process or with a local output: the leak check is off for these ranks
      // only; the local cases above check the same cluster code for leaks.
      const r = await mpirun(np, ['run', '--input', 's3://lake/in', '--output', `s3://lake/np${np}`, '--threads', '1'],
        { env: { ...env, ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'detect_leaks=0'].filter(Boolean).join(':') } });
      assertExitOk(r, `mpirun -np ${np}`);
      assertSummary(r, np, `np ${np}`);
      const got = join(tmp.dir, `np${np}`);
      await download(s3, 'lake', `np${np}/`, got);
      assertSameFiles(await digestTree(got), want, `np ${np}`);
      await assertOracle(got, oracle, `np ${np}`);
    }
    assert.equal(s3.stats.signatureFailures, 0, 'every request carried a valid SigV4 signature');
  });
});
