// End-to-end: songplays spilled to sorted runs in temporary files (--spill-rows) and merged back
// while time and songplays are written a row group at a time. The files must be byte for byte the
// ones an all-in-memory run writes (--spill-rows 0), for any run size, thread count and file
// split, and equal the DuckDB oracle; a temporary directory that cannot be written fails the run
// with one clear line and leaves the previous output as it was.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput, snapshotDir } from './lib/output.mjs';
import { LAKE_BIN, gen, tempDir } from './lib/lake.mjs';

function runLake(input, output, extra = [], env = {}) {
  const r = spawnSync(LAKE_BIN, ['run', '--input', input, '--output', output, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  return r;
}

function assertOk(r, what) {
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

/** Files by path with the run's uuid taken out of their names, mapped to their sha256. */
async function contents(out) {
  const snap = await snapshotDir(out);
  const byName = {};
  for (const [rel, hash] of Object.entries(snap)) byName[rel.replace(/-[0-9a-f-]{36}-/, '-UUID-')] = hash;
  return byName;
}

function spilledRuns(stdout) {
  const m = /spilled: (\d+) sorted runs/.exec(stdout);
  return m ? Number(m[1]) : 0;
}

describe('songplays spilled to temporary files and merged back', () => {
  let tmp;
  let input;
  let oracle;
  let reference;
  before(async () => {
    tmp = tempDir();
    input = join(tmp.dir, 'in');
    gen(input, { songs: 150, events: 20000, seed: 31 });
    oracle = await computeOracle(input);
    const out = join(tmp.dir, 'out-memory');
    const r = runLake(input, out, ['--spill-rows', '0', '--threads', '2']);
    assertOk(r, 'lake run --spill-rows 0');
    assert.equal(spilledRuns(r.stdout), 0, 'nothing spilled with --spill-rows 0');
    reference = await contents(out);
    assert.ok(Object.keys(reference).some((k) => k.startsWith('songplays/year=')), 'songplays written');
  });
  after(() => tmp?.cleanup());

  for (const [spill, threads] of [['1', '1'], ['97', '2'], ['1000', '2']]) {
    test(`--spill-rows ${spill} --threads ${threads}: the same bytes as in memory, oracle tables`, async () => {
      const out = join(tmp.dir, `out-spill-${spill}-${threads}`);
      const r = runLake(input, out, ['--spill-rows', spill, '--threads', threads]);
      assertOk(r, `lake run --spill-rows ${spill}`);
      const plays = Number(/songplays\s+(\d+) rows/.exec(r.stdout)[1]);
      assert.ok(plays > 1000, `enough songplays to spill (${plays})`);
      assert.ok(spilledRuns(r.stdout) >= Math.floor(plays / Number(spill) / Number(threads)) - 1,
        `runs were spilled: ${r.stdout}`);
      assert.deepEqual(await contents(out), reference);
      const lake = await readLakeOutput(out);
      const problems = compareWithOracle(lake, oracle, lake.problems);
      assert.deepEqual(problems, []);
    });
  }

  test('--max-rows-per-file splits a streamed partition the same way spilled or not', async () => {
    const a = join(tmp.dir, 'out-split-memory');
    const b = join(tmp.dir, 'out-split-spill');
    assertOk(runLake(input, a, ['--spill-rows', '0', '--max-rows-per-file', '300']), 'in memory');
    assertOk(runLake(input, b, ['--spill-rows', '50', '--max-rows-per-file', '300']), 'spilled');
    const ca = await contents(a);
    assert.ok(Object.keys(ca).some((k) => /^songplays\/.*-c001\./.test(k)), 'a partition split in files');
    assert.ok(Object.keys(ca).some((k) => /^time\/.*-c001\./.test(k)), 'a time partition split in files');
    assert.deepEqual(await contents(b), ca);
    // Read back by DuckDB: every row once, no file over the limit, ids ascending through c000,
    // c001, ... of each partition.
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      const q = async (sql) => (await conn.runAndReadAll(sql)).getRowObjects();
      const files = await q(`SELECT filename AS f, count(*)::INTEGER AS n, min(songplay_id)::BIGINT AS lo,
          max(songplay_id)::BIGINT AS hi FROM read_parquet('${b}/songplays/*/*/*.parquet', filename = true)
          GROUP BY filename ORDER BY filename`);
      let total = 0;
      let prev = { dir: '', hi: 0n };
      for (const { f, n, lo, hi } of files) {
        assert.ok(n <= 300, `${f}: ${n} rows`);
        total += n;
        const dir = f.slice(0, f.lastIndexOf('/'));
        if (dir === prev.dir) assert.ok(lo > prev.hi, `${f} starts at ${lo}, before the end ${prev.hi} of the file before`);
        prev = { dir, hi };
      }
      assert.equal(total, oracle.tables.songplays.length);
      const [{ n: timeRows }] = await q(`SELECT count(*)::INTEGER AS n FROM read_parquet('${b}/time/*/*/*.parquet')`);
      assert.equal(timeRows, oracle.tables.time.length);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });

  test('an unwritable TMPDIR fails the run in one line and keeps the previous output', async () => {
    const out = join(tmp.dir, 'out-keep');
    assertOk(runLake(input, out), 'first run');
    const snap = await snapshotDir(out);
    const missing = join(tmp.dir, 'no-such-dir');
    const r = runLake(input, out, ['--spill-rows', '10'], { TMPDIR: missing });
    assert.notEqual(r.status, 0, 'the run must fail');
    assert.equal(r.signal, null);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], /spilling songplays: .*temporary file in .*no-such-dir/);
    assert.deepEqual(await snapshotDir(out), snap, 'previous output changed');
  });
});
