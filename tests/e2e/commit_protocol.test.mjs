// The commit protocol on a local output (issue 18): one writer at a time, a commit that an error
// undoes and a crash cannot break, and `lake recover`.
//
// Crash and failure points come from two test switches of the commit (engine/commit/commit.c):
// LAKE_TEST_COMMIT_CRASH=k kills lake with SIGKILL just before the k-th change it makes to the
// output, LAKE_TEST_COMMIT_FAIL=k makes that change fail. The loops run k = 1, 2, ... until a run
// gets through, so every step of the commit is a crash point, however many there are.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lake, lakeAsync, lakeOk, gen, run, tempDir } from './lib/lake.mjs';
import { computeOracle, TABLES } from './lib/oracle.mjs';
import { readLakeOutput, compareWithOracle, snapshotDir } from './lib/output.mjs';

const withEnv = (vars) => ({ env: { ...process.env, ...vars } });
const runIdOf = (r) => /^lake run ([0-9a-f-]{36}):/m.exec(r.stdout)?.[1];

/** The run each table's _SUCCESS names (undefined where a table has none). */
function markers(out) {
  return Object.keys(TABLES).map((t) => {
    const f = join(out, t, '_SUCCESS');
    return existsSync(f) ? /lake run ([0-9a-f-]{36})/.exec(readFileSync(f, 'utf8'))?.[1] : undefined;
  });
}

/** Every table present and readable by DuckDB (a mix of runs is allowed before recovery). */
async function assertAllReadable(out, what) {
  const got = await readLakeOutput(out);
  const unreadable = got.problems.filter((p) => !/different run uuids/.test(p));
  assert.deepEqual(unreadable, [], `${what}: every table present and readable`);
  for (const [i, id] of markers(out).entries()) assert.ok(id, `${what}: ${Object.keys(TABLES)[i]}/_SUCCESS present`);
}

/** All five tables from one run, equal to the oracle of that run's input. */
async function assertOneRun(out, runs, what) {
  const ids = new Set(markers(out));
  assert.equal(ids.size, 1, `${what}: all tables from one run, got ${[...ids]}`);
  const [id] = ids;
  assert.ok(runs[id], `${what}: the tables come from a known run (${id})`);
  const got = await readLakeOutput(out);
  assert.deepEqual(compareWithOracle(got, runs[id], got.problems), [], `${what}: tables equal the oracle of run ${id}`);
  assert.ok(!existsSync(join(out, '_lake', 'journal')), `${what}: no journal left`);
  assert.ok(!existsSync(join(out, '_temporary')), `${what}: no staging left`);
}

describe('commit protocol (local output)', () => {
  let tmp;
  let inA;
  let inB;
  let inC;
  let oracleA;
  let oracleB;
  let baseA; // run A's committed output, copied for every case
  let idA;
  before(async () => {
    tmp = tempDir('lake-commit-');
    inA = join(tmp.dir, 'a');
    inB = join(tmp.dir, 'b');
    gen(inA, { songs: 60, events: 1200, seed: 21, badRecords: true });
    gen(inB, { songs: 80, events: 1500, seed: 22 });
    inC = join(tmp.dir, 'c'); // few partitions: the dynamic-mode loop walks one step per partition
    gen(inC, { songs: 12, events: 400, seed: 23 });
    oracleA = await computeOracle(inA);
    oracleB = await computeOracle(inB);
    baseA = join(tmp.dir, 'base-a');
    idA = runIdOf(lakeOk(['run', '-i', inA, '-o', baseA]));
    assert.ok(idA, 'run A printed its run id');
    const a = await readLakeOutput(baseA);
    assert.deepEqual(compareWithOracle(a, oracleA, a.problems), [], 'run A equals its oracle');
  });
  after(() => tmp?.cleanup());

  /** Every file of an output but its lock, byte for byte. */
  const tables = async (out) => snapshotDir(out, { exclude: (rel) => rel.startsWith('_lake/') });

  /** A fresh output holding run A's tables; returns its path and A's run id. */
  function committedA(name) {
    const out = join(tmp.dir, name);
    cpSync(baseA, out, { recursive: true, preserveTimestamps: true });
    return { out, id: idA };
  }

  test('killed at every step of the commit: no table missing, and after lake recover all five come from one run', async () => {
    let k = 1;
    for (; k < 100; k++) {
      const { out, id: idA } = committedA(`crash-${k}`);
      const r = await lakeAsync(['run', '-i', inB, '-o', out, '-q'], withEnv({ LAKE_TEST_COMMIT_CRASH: String(k) }));
      if (r.status === 0) break;
      assert.equal(r.signal, 'SIGKILL', `step ${k}: the run was killed (${r.stderr})`);
      await assertAllReadable(out, `killed at step ${k}`);
      const runs = { [idA]: oracleA };
      for (const id of markers(out)) if (id !== idA) runs[id] = oracleB;
      const rec = lake(['recover', out]);
      assert.equal(rec.status, 0, `lake recover after step ${k}: ${rec.stderr}`);
      if (Object.keys(runs).length === 1 && existsSync(join(out, '_lake', 'journal'))) assert.fail('journal left after recover');
      // The new run's id, when only its staging knew it, is whatever the tables now name.
      for (const id of markers(out)) if (!runs[id]) runs[id] = oracleB;
      await assertOneRun(out, runs, `killed at step ${k}, recovered`);
      // A later run over a recovered output works as usual.
      if (k === 1) assert.equal(run(inB, out, ['-q']).status, 0, 'a run after recovery');
    }
    assert.ok(k > 10, `the commit made ${k - 1} changes; expected markers, journal, swaps, journal removal`);
  });

  test('an error at any step of the commit: exit 1 and the previous tables exactly as they were (undone)', async () => {
    let k = 1;
    for (; k < 100; k++) {
      const { out, id: idA } = committedA(`fail-${k}`);
      const r = await lakeAsync(['run', '-i', inB, '-o', out, '-q'], withEnv({ LAKE_TEST_COMMIT_FAIL: String(k) }));
      if (r.status === 0) break;
      assert.equal(r.status, 1, `step ${k}: exit 1 (${r.stderr})`);
      assert.match(r.stderr, new RegExp(`commit step ${k} failed`));
      if (/the new tables are committed/.test(r.stderr)) {
        // Past the commit point (removing the journal): the new tables stand, recovery tidies up.
        assert.equal(lake(['recover', out]).status, 0);
        assert.ok(markers(out).every((id) => id && id !== idA), `step ${k}: the new run's tables`);
        continue;
      }
      // Undone means the previous output file for file, byte for byte (run A equals its oracle).
      assert.deepEqual(await tables(out), await tables(baseA), `failed at step ${k}: run A's output exactly`);
    }
    assert.ok(k > 10, `the commit made ${k - 1} changes`);
  });

  test('--mode dynamic: an error at any step puts back the previous partitions and markers, and into an empty output leaves no table', async () => {
    let k = 1;
    let done = false;
    for (; k < 400 && !done; k++) {
      const { out, id: idA } = committedA(`dyn-${k}`);
      const r = await lakeAsync(['run', '-i', inC, '-o', out, '-q', '--mode', 'dynamic'], withEnv({ LAKE_TEST_COMMIT_FAIL: String(k) }));
      if (r.status === 0) {
        done = true;
        break;
      }
      assert.equal(r.status, 1, `step ${k}: exit 1 (${r.stderr})`);
      if (/the new tables are committed/.test(r.stderr)) continue;
      assert.deepEqual(markers(out), Object.keys(TABLES).map(() => idA), `step ${k}: the previous run's markers are back`);
      assert.deepEqual(await tables(out), await tables(baseA), `dynamic, failed at step ${k}: run A's output exactly`);
      const empty = join(tmp.dir, `dyn-empty-${k}`);
      const e = await lakeAsync(['run', '-i', inC, '-o', empty, '-q', '--mode', 'dynamic'], withEnv({ LAKE_TEST_COMMIT_FAIL: String(k) }));
      if (e.status === 0 || /the new tables are committed/.test(e.stderr)) continue;
      assert.deepEqual(markers(empty), Object.keys(TABLES).map(() => undefined), `step ${k}: no _SUCCESS in an output that was empty`);
    }
    assert.ok(done && k > 10, `the dynamic commit made ${k - 1} changes, and a run got through`);
  });

  test('a run killed inside its commit leaves no lock behind', async () => {
    const { out } = committedA('locked');
    // A run killed inside its commit keeps nothing locked: the kernel drops its lock.
    const slow = lakeAsync(['run', '-i', inB, '-o', out, '-q'], withEnv({ LAKE_TEST_COMMIT_CRASH: '1' }));
    await slow;
    const quick = lake(['run', '-i', inB, '-o', out, '-q']);
    assert.equal(quick.status, 0, `a run after a killed holder: ${quick.stderr}`);
  });

  test('two to four concurrent runs into one output: one holds it at a time, none exits 0 with missing rows', async () => {
    for (const n of [2, 4]) {
      const { out, id: idA } = committedA(`concurrent-${n}`);
      const runs = await Promise.all(Array.from({ length: n }, () => lakeAsync(['run', '-i', inB, '-o', out])));
      const ok = runs.filter((r) => r.status === 0);
      const refused = runs.filter((r) => r.status !== 0);
      assert.ok(ok.length >= 1, `${n} concurrent runs: at least one committed`);
      for (const r of refused) {
        assert.equal(r.status, 1, `a refused run exits 1: ${r.stderr}`);
        assert.match(r.stderr, /the output is in use: .*held by another run \(run [0-9a-f-]{36}, host .*, pid \d+, since /);
      }
      const oracles = { [idA]: oracleA };
      for (const r of ok) oracles[runIdOf(r)] = oracleB;
      await assertOneRun(out, oracles, `${n} concurrent runs`);
      assert.ok(markers(out).every((id) => id !== idA), `${n} concurrent runs: a new run's tables`);
      // Waiting runs all commit, one after another.
      const waited = await Promise.all(Array.from({ length: n }, () => lakeAsync(['run', '-i', inB, '-o', out, '--wait-lock', '120'])));
      for (const r of waited) assert.equal(r.status, 0, `--wait-lock: every run commits in turn: ${r.stderr}`);
      const last = {};
      for (const r of waited) last[runIdOf(r)] = oracleB;
      await assertOneRun(out, last, `${n} waiting runs`);
    }
  });
});
