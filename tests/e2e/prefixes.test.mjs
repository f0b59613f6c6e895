// lake prefixes (issue 20) against listings made independently: on S3 (s3rver behind the
// SigV4-checking proxy of lib/s3server.mjs), `aws s3 ls --recursive` from Debian's awscli with
// the unique directories derived here in JS, as the original bootstrap's `ls | sed | awk` did; on
// a local directory, `find -type f -printf '%h/'`. Then --depth, -o (local and s3://), an empty
// source, and bad sources: one line on stderr, exit 1, -o left as it was.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertExitOk, assertOneLineError, gen, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { backendGet, backendPut, s3ClientEnv, startS3 } from './lib/s3server.mjs';

const AWS = '/usr/bin/aws'; // Debian's awscli (scripts/deps.sh), not another aws earlier in PATH
const KEY_ID = 'AKIALAKEPREFIXTEST01';
const SECRET = 'lake-prefixes-test-secret/0123456789';

const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const lines = (text) => text.split('\n').filter((l) => l !== '');

/** The directory of each key (up to its last '/', '' for none), cut to depth levels when given,
 * once each, byte-sorted, each after base: what lake prefixes should print. */
function expectedDirs(keys, base, depth) {
  const dirs = new Set();
  for (const key of keys) {
    let parts = key.split('/').slice(0, -1);
    if (depth !== undefined) parts = parts.slice(0, depth);
    dirs.add(parts.map((p) => `${p}/`).join(''));
  }
  return [...dirs].map((d) => base + d).sort(byteOrder);
}

/** Every file below dir, relative to it, from find(1). */
function findKeys(dir) {
  const r = spawnSync('find', ['.', '-type', 'f', '-printf', '%P\\n'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return lines(r.stdout);
}

describe('lake prefixes', () => {
  let s3, tmp, input, env, ep, keys;
  const lake = (args) => lakeAsync(args, { env });

  /** The keys under s3://bucket/prefix as `aws s3 ls --recursive` prints them, relative to prefix. */
  async function awsKeys(bucket, prefix) {
    const r = await spawnAsync(AWS, ['--endpoint-url', s3.endpoint, 's3', 'ls', '--recursive',
      `s3://${bucket}/${prefix}`], { env });
    assert.equal(r.status, 0, `aws s3 ls: ${r.stderr}`);
    return lines(r.stdout).map((l) => {
      const m = /^\S+ +\S+ +\d+ (.*)$/.exec(l);
      assert.ok(m, `unexpected aws s3 ls line: ${l}`);
      assert.ok(m[1].startsWith(prefix), m[1]);
      return m[1].slice(prefix.length);
    });
  }

  before(async () => {
    s3 = await startS3({ buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
    env = s3ClientEnv(s3, KEY_ID, SECRET);
    delete env.AWS_ENDPOINT_URL; // lake finds the test S3 through --endpoint-url alone
    ep = ['--endpoint-url', s3.endpoint];
    tmp = tempDir('lake-prefixes-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 120, events: 600, seed: 5 });
    // beside lake gen's tree: an object right under the root, a name with a space, a narrow
    // deep chain (the fan-out descends it), hidden names (listed: every object counts), and more
    // than one 1,000-key page under one prefix
    const extra = { 'top.json': '{}', 'odd dir/a b.json': '{}', 'deep/x/y/z/w.json': '{}',
      'song_data/_SUCCESS': '', 'log_data/.hidden/e.json': '{}' };
    for (let i = 0; i < 1100; i++) extra[`many/${String(i).padStart(4, '0')}.json`] = String(i);
    for (const [k, v] of Object.entries(extra)) {
      mkdirSync(join(input, k, '..'), { recursive: true });
      writeFileSync(join(input, k), v);
    }
    keys = findKeys(input);
    for (const k of keys) {
      const path = `/lake/in/${k.split('/').map(encodeURIComponent).join('/')}`;
      assert.equal(await backendPut(s3, path, readFileSync(join(input, k))), 200, path);
    }
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  test('a local directory: the directories find(1) sees, once each, sorted', async () => {
    const r = await lake(['prefixes', input]);
    assertExitOk(r, 'lake prefixes local');
    assert.equal(r.stderr, '');
    const want = expectedDirs(keys, `${input}/`);
    assert.deepEqual(lines(r.stdout), want);
    assert.ok(want.includes(`${input}/`) && want.includes(`${input}/deep/x/y/z/`) && want.includes(`${input}/odd dir/`));
    // find's own %h, as the pipeline it replaces would print it
    const f = spawnSync('find', [input, '-type', 'f', '-printf', '%h/\\n'], { encoding: 'utf8' });
    assert.deepEqual(lines(r.stdout), [...new Set(lines(f.stdout))].sort(byteOrder));
    // trailing slashes on SRC change nothing
    assert.equal((await lake(['prefixes', `${input}//`])).stdout, r.stdout);
  });

  test('s3://: the directories of `aws s3 ls --recursive`, as full URLs', async () => {
    const listed = await awsKeys('lake', 'in/');
    assert.deepEqual([...listed].sort(byteOrder), [...keys].sort(byteOrder), 'aws saw what was uploaded');
    const before = s3.stats.queries.length;
    const r = await lake(['prefixes', 's3://lake/in', ...ep]);
    assertExitOk(r, 'lake prefixes s3');
    assert.deepEqual(lines(r.stdout), expectedDirs(listed, 's3://lake/in/'));
    assert.equal(s3.stats.signatureFailures, 0);
    const lists = s3.stats.queries.slice(before).filter((q) => q.includes('list-type=2'));
    assert.ok(lists.some((q) => q.includes('delimiter=%2F') && q.includes('prefix=in%2Fdeep%2Fx%2F')),
      'the narrow deep/ chain was descended level by level');
    assert.ok(lists.some((q) => q.includes('continuation-token=')), 'many/ took more than one page');
    assert.equal((await lake(['prefixes', 's3://lake/in/', ...ep])).stdout, r.stdout);
  });

  test('--depth N cuts each prefix to N levels below SRC, locally and on S3', async () => {
    for (const depth of [0, 1, 2, 3]) {
      const loc = await lake(['prefixes', input, '--depth', String(depth)]);
      assertExitOk(loc, `local --depth ${depth}`);
      assert.deepEqual(lines(loc.stdout), expectedDirs(keys, `${input}/`, depth), `local --depth ${depth}`);
      const rem = await lake(['prefixes', 's3://lake/in', '--depth', String(depth), ...ep]);
      assertExitOk(rem, `s3 --depth ${depth}`);
      assert.deepEqual(lines(rem.stdout), expectedDirs(keys, 's3://lake/in/', depth), `s3 --depth ${depth}`);
    }
    const one = lines((await lake(['prefixes', input, '--depth', '1'])).stdout).map((l) => relative(input, l));
    assert.deepEqual(one, ['', 'deep', 'log_data', 'many', 'odd dir', 'song_data']);
    const bad = await lake(['prefixes', input, '--depth', '-1']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^lake prefixes: --depth expects a non-negative integer, got '-1'\n/);
  });

  test('-o FILE: the same lines, written whole; s3:// too', async () => {
    const out = join(tmp.dir, 'prefixes.txt');
    const stdout = (await lake(['prefixes', input])).stdout;
    const r = await lake(['prefixes', input, '-o', out]);
    assertExitOk(r, '-o local');
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), stdout);
    assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith('prefixes.txt')), ['prefixes.txt'], 'no temporary left');
    const s = await lake(['prefixes', 's3://lake/in', '-o', 's3://lake/lists/prefixes.txt', ...ep]);
    assertExitOk(s, '-o s3');
    const got = await backendGet(s3, '/lake/lists/prefixes.txt');
    assert.equal(got.status, 200);
    assert.deepEqual(lines(got.body.toString('utf8')), expectedDirs(keys, 's3://lake/in/'));
  });

  test('an empty source: no lines, exit 0, a note on stderr', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    for (const src of [empty, 's3://lake/nothing-here']) {
      const out = join(tmp.dir, 'empty.txt');
      const r = await lake(['prefixes', src, '-o', out, ...ep]);
      assertExitOk(r, `empty ${src}`);
      assert.equal(readFileSync(out, 'utf8'), '');
      assert.equal(r.stderr, `lake prefixes: ${src} holds no objects\n`);
    }
  });

  test('a bad source: one line naming it, exit 1, -o FILE left as it was', async () => {
    const out = join(tmp.dir, 'kept.txt');
    writeFileSync(out, 'previous\n');
    const missing = join(tmp.dir, 'missing');
    assert.equal(assertOneLineError(await lake(['prefixes', missing, '-o', out]), 'missing dir'),
      `lake prefixes: ${missing}: no such directory`);
    assert.equal(assertOneLineError(await lake(['prefixes', join(input, 'top.json'), '-o', out]), 'a file'),
      `lake prefixes: ${join(input, 'top.json')} is not a directory`);
    assertOneLineError(await lake(['prefixes', 's3://no-such-bucket/in', '-o', out, ...ep]), 'missing bucket',
      /^lake prefixes: bucket no-such-bucket does not exist/);
    const looped = join(tmp.dir, 'looped');
    mkdirSync(join(looped, 'a/b'), { recursive: true });
    writeFileSync(join(looped, 'a/b/x.json'), '{}');
    symlinkSync(join(looped, 'a'), join(looped, 'a/b/up'));
    assertOneLineError(await lake(['prefixes', looped, '-o', out]), 'a directory loop', /directory loop: .*a\/b\/up/);
    assert.equal(readFileSync(out, 'utf8'), 'previous\n', '-o FILE changed by a failed run');
    assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith('kept.txt')), ['kept.txt']);
    assertOneLineError(await lake(['prefixes', input, '-o', join(tmp.dir, 'no/such/dir/p.txt')]), '-o in a missing directory',
      /^lake prefixes: -o .*no\/such\/dir\/p\.txt: .*no such directory$/);
    const two = await lake(['prefixes', input, input]);
    assert.equal(two.status, 2);
    assert.match(two.stderr, /^lake prefixes: expected exactly one SRC\n/);
  });
});
