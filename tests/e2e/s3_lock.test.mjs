// One writer per S3 output (issue 18): the lock object _lake/lock is created with a conditional
// PUT (If-None-Match: *; s3rver gets conditional PUTs from lib/s3rver_fix.mjs), a second run fails
// at once naming the holder or waits with --wait-lock, the lock is gone after the run, and a lock
// whose lease ended (a killed holder) is taken over with a message.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gen, lakeAsync, tempDir } from './lib/lake.mjs';
import { backendGet, backendPut, s3ClientEnv, startS3 } from './lib/s3server.mjs';

const KEY_ID = 'AKIALAKETESTKEY00003';
const SECRET = 'lake-test-secret/lock+0123456789';
const runId = (r) => /^lake run ([0-9a-f-]{36}):/m.exec(r.stdout)?.[1];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('S3 output lock', () => {
  let s3;
  let tmp;
  let env;
  let input;
  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    tmp = tempDir('lake-s3-lock-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 120, events: 2000, seed: 31 });
    env = s3ClientEnv(s3, KEY_ID, SECRET);
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  const lakeRun = (out, extra = []) => lakeAsync(['run', '-i', input, '-o', out, ...extra], { env, timeout: 120_000 });

  /** Starts a run slowed by request latency; resolves to { first } (its promise, wrapped so the
   * caller does not wait for it) once it holds the lock. */
  async function holdingRun(out) {
    s3.setLatency(200);
    const first = lakeRun(out);
    for (let i = 0; i < 400; i++) {
      if ((await backendGet(s3, `/lake/${out.slice('s3://lake/'.length)}/_lake/lock`)).status === 200) return { first };
      await sleep(25);
    }
    throw new Error('the first run never took the lock');
  }

  test('a second run fails at once naming the holder; the lock is gone after the first', async () => {
    const out = 's3://lake/out1';
    const { first } = await holdingRun(out);
    const second = await lakeRun(out);
    s3.setLatency(0);
    const r1 = await first;
    assert.equal(r1.status, 0, `the holder commits: ${r1.stderr}`);
    assert.equal(second.status, 1, `the second run is refused: ${second.stderr}`);
    assert.match(second.stderr, new RegExp(`the output is in use: s3://lake/out1/_lake/lock is held by another run \\(run ${runId(r1)}, host .*, pid \\d+, since `));
    assert.equal((await backendGet(s3, '/lake/out1/_lake/lock')).status, 404, 'the lock object is deleted after the run');
    assert.equal((await backendGet(s3, '/lake/out1/songs/_SUCCESS')).status, 200, 'the holder committed');
  });

  test('--wait-lock: the second run waits for the first and then commits', async () => {
    const out = 's3://lake/out2';
    const { first } = await holdingRun(out);
    const second = lakeRun(out, ['--wait-lock', '100']);
    const r1 = await first;
    s3.setLatency(0);
    const r2 = await second;
    assert.equal(r1.status, 0, r1.stderr);
    assert.equal(r2.status, 0, `the waiting run commits after the first: ${r2.stderr}`);
    assert.equal((await backendGet(s3, '/lake/out2/_lake/lock')).status, 404);
  });

  test('a lock whose lease ended is taken over, with a message naming the old holder', async () => {
    const status = await backendPut(s3, '/lake/out3/_lake/lock', 'run dead-run, host gone, pid 1, since 2026-01-01T00:00:00Z\nexpires 1767225600\n');
    assert.equal(status, 200);
    const r = await lakeRun('s3://lake/out3');
    assert.equal(r.status, 0, `the run takes the stale lock over: ${r.stderr}`);
    assert.match(r.stderr, /took over s3:\/\/lake\/out3\/_lake\/lock: its lease had ended \(run dead-run, host gone/);
    assert.equal((await backendGet(s3, '/lake/out3/_lake/lock')).status, 404);
  });

  test('a live lock held by a run elsewhere refuses the run (no takeover before the lease ends)', async () => {
    const expires = Math.floor(Date.now() / 1000) + 600;
    await backendPut(s3, '/lake/out4/_lake/lock', `run other-run, host elsewhere, pid 7, since now\nexpires ${expires}\n`);
    const r = await lakeRun('s3://lake/out4');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /held by another run \(run other-run, host elsewhere, pid 7, since now\)/);
    assert.equal((await backendGet(s3, '/lake/out4/_lake/lock')).status, 200, 'the other run\'s lock stays');
    assert.equal((await backendGet(s3, '/lake/out4/songs/_SUCCESS')).status, 404, 'nothing was written');
  });
});
