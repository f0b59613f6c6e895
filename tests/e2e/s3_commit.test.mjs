// The commit protocol on an S3 output (issue 18), on s3rver: a run's files are open multipart
// uploads until its commit, so a run killed before the commit leaves nothing a reader lists;
// killed at any step of the commit, every table stays present and readable, and `lake recover`
// leaves all five from one run; an error at any step undoes the commit.
//
// Crash and failure points come from the commit's test switches (engine/commit/commit.c), as in
// commit_protocol.test.mjs: LAKE_TEST_COMMIT_CRASH=k kills lake before the k-th change it makes to
// the output, LAKE_TEST_COMMIT_FAIL=k makes it fail; under either, files are published 4 at a
// time, so the steps fall between publications too. The loops run k = 1, 2, ... until a run gets
// through. A killed run's lock keeps its lease for a minute; the test ends the lease by hand
// (as time would) before recovering.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gen, lakeAsync, tempDir } from './lib/lake.mjs';
import { computeOracle, TABLES } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput } from './lib/output.mjs';
import { backendGet, backendList, backendPut, download, s3ClientEnv, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKETESTKEY00004';
const SECRET = 'lake-test-secret/commit+0123456789';

describe('commit protocol (S3 output)', () => {
  let s3;
  let tmp;
  let env;
  let inA;
  let inB;
  let oracleA;
  let oracleB;
  let idA;
  let baseSnap;
  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    env = s3ClientEnv(s3, KEY_ID, SECRET);
    tmp = tempDir('lake-s3-commit-');
    inA = join(tmp.dir, 'a');
    inB = join(tmp.dir, 'b');
    gen(inA, { songs: 12, events: 300, seed: 41, badRecords: true });
    gen(inB, { songs: 14, events: 300, seed: 42 });
    oracleA = await computeOracle(inA);
    oracleB = await computeOracle(inB);
    const r = await lakeRun(inA, 'base');
    assert.equal(r.status, 0, `run A: ${r.stderr}`);
    [idA] = await markers('base');
    assert.match(idA, /^[0-9a-f-]{36}$/, 'run A\'s markers name it');
    baseSnap = await snapshot('base');
    const got = await readBack('base');
    assert.deepEqual(compareWithOracle(got, oracleA, got.problems), [], 'run A equals its oracle');
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  function lakeRun(input, name, vars = {}) {
    return lakeAsync(['run', '-i', input, '-o', `s3://lake/${name}`, '-q'], { env: { ...env, ...vars }, timeout: 120_000 });
  }

  /**
   * A fresh output holding run A's tables (s3rver keeps objects as files: copied on disk). s3rver
   * takes LastModified from the file's mtime, so the copy keeps the mtimes: otherwise a copy that
   * crosses a second puts a data file "after" its table's _SUCCESS.
   */
  function committedA(name) {
    cpSync(join(s3.dir, 'lake', 'base'), join(s3.dir, 'lake', name), { recursive: true, preserveTimestamps: true });
  }

  /** Every object of an output but its lock: key (relative) -> ETag. */
  async function snapshot(name) {
    const keys = await backendList(s3, 'lake', `${name}/`);
    return Object.fromEntries(keys.filter((k) => !k.key.startsWith(`${name}/_lake/`)).map((k) => [k.key.slice(name.length + 1), k.etag]));
  }

  async function readBack(name) {
    const dir = join(tmp.dir, `dl-${name}-${Math.random().toString(36).slice(2)}`);
    await download(s3, 'lake', `${name}/`, dir);
    return readLakeOutput(dir);
  }

  /** The run each table's _SUCCESS names (undefined where a table has none). */
  async function markers(name) {
    const ids = [];
    for (const t of Object.keys(TABLES)) {
      const { status, body } = await backendGet(s3, `/lake/${name}/${t}/_SUCCESS`);
      ids.push(status === 200 ? /lake run ([0-9a-f-]{36})/.exec(body.toString())?.[1] : undefined);
    }
    return ids;
  }

  const uploadsUnder = async (name) => (await s3.uploads('lake')).filter((u) => u.key.startsWith(`${name}/`));

  /** A killed run's lock lease ends (as a minute would make it). */
  async function endLease(name) {
    const { status } = await backendGet(s3, `/lake/${name}/_lake/lock`);
    if (status === 200) await backendPut(s3, `/lake/${name}/_lake/lock`, 'run killed, host here, pid 1, since 2026-01-01T00:00:00Z\nexpires 1767225600\n');
  }

  async function recover(name, what) {
    await endLease(name);
    const r = await lakeAsync(['recover', `s3://lake/${name}`], { env, timeout: 120_000 });
    assert.equal(r.status, 0, `${what}: lake recover: ${r.stderr}`);
  }

  test('a run killed before its commit leaves nothing a reader lists, and recovery aborts its uploads', async () => {
    committedA('before');
    const r = await lakeRun(inB, 'before', { LAKE_TEST_COMMIT_CRASH: '1' });
    assert.equal(r.signal, 'SIGKILL', `the run was killed before its first change (${r.stderr})`);
    assert.deepEqual(await snapshot('before'), baseSnap, 'the output lists exactly run A\'s objects');
    assert.ok((await uploadsUnder('before')).length > 5, 'the killed run\'s files are pending uploads');
    await recover('before', 'killed before the commit');
    assert.deepEqual(await uploadsUnder('before'), [], 'recovery aborted every pending upload');
    assert.deepEqual(await snapshot('before'), baseSnap, 'and left run A\'s objects as they were');
  });

  test('killed at every step of the commit: every table readable, and after lake recover all five come from one run', async () => {
    let k = 1;
    for (; k < 60; k++) {
      const name = `crash-${k}`;
      committedA(name);
      const r = await lakeRun(inB, name, { LAKE_TEST_COMMIT_CRASH: String(k) });
      if (r.status === 0) break;
      assert.equal(r.signal, 'SIGKILL', `step ${k}: the run was killed (${r.stderr})`);
      const mid = await readBack(name);
      // Before recovery a table may mix the runs' files (the new ones newer than its marker).
      const unreadable = mid.problems.filter((p) => !/different run uuids|is newer than _SUCCESS/.test(p));
      assert.deepEqual(unreadable, [], `killed at step ${k}: every table present and readable`);
      await recover(name, `killed at step ${k}`);
      const after = await markers(name);
      const ids = new Set(after);
      assert.equal(ids.size, 1, `step ${k}: all tables from one run after recovery, got ${after} (${r.stderr})`);
      const [id] = ids;
      assert.ok(id, `step ${k}: every table has its _SUCCESS`);
      const got = await readBack(name);
      const oracle = id === idA ? oracleA : oracleB;
      assert.deepEqual(compareWithOracle(got, oracle, got.problems), [], `step ${k}: tables equal the oracle of run ${id === idA ? 'A' : 'B'}`);
      if (id === idA) assert.deepEqual(await snapshot(name), baseSnap, `step ${k}: run A's objects exactly`);
      assert.equal((await backendGet(s3, `/lake/${name}/_lake/journal`)).status, 404, `step ${k}: no journal left`);
      assert.deepEqual(await uploadsUnder(name), [], `step ${k}: no upload left in progress`);
    }
    assert.ok(k > 12, `the commit made ${k - 1} changes; expected journal, publish rounds, markers, cleaning, journal removal`);
  });

  test('an error at any step of the commit: exit 1 and run A\'s objects exactly as they were, or past the commit point the new tables', async () => {
    let k = 1;
    for (; k < 60; k++) {
      const name = `fail-${k}`;
      committedA(name);
      const r = await lakeRun(inB, name, { LAKE_TEST_COMMIT_FAIL: String(k) });
      if (r.status === 0) break;
      assert.equal(r.status, 1, `step ${k}: exit 1 (${r.stderr})`);
      assert.match(r.stderr, new RegExp(`commit step ${k} failed`));
      if (/the new tables are committed/.test(r.stderr)) {
        await recover(name, `failed at step ${k}`);
        assert.ok((await markers(name)).every((id) => id && id !== idA), `step ${k}: the new run's tables`);
        assert.ok(!Object.keys(await snapshot(name)).some((key) => key.includes(idA)), `step ${k}: recovery deleted run A's files`);
      } else {
        assert.deepEqual(await snapshot(name), baseSnap, `failed at step ${k}: run A's objects exactly`);
      }
      assert.deepEqual(await uploadsUnder(name), [], `step ${k}: no upload left in progress`);
    }
    assert.ok(k > 12, `the commit made ${k - 1} changes`);
  });
});
