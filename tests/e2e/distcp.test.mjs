// lake distcp (issue 20): S3DistCp's copy on lake's engine, on local directories and on s3rver
// (lib/s3server.mjs, behind its SigV4-checking, fault-injecting proxy). Every expected output is
// built here from the source objects (grouping, S3DistCp's names, target-size parts, newline
// insertion), compressed outputs are read back with zcat and zstd (independent tools), and a
// failed or killed copy must leave nothing new under the destination and no upload open.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, assertExitOk, lake, lakeAsync, tempDir } from './lib/lake.mjs';
import { backendGet, backendList, backendPut, download, startS3 } from './lib/s3server.mjs';

const DAY = '.*/(\\d{4}-\\d{2}-\\d{2})/.*';

/** Writes files { rel: Buffer|string } under dir. */
function writeTree(dir, files) {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
}

/** Every file under dir (not under _lake/ or _temporary/): rel -> Buffer. */
function readTree(dir) {
  const out = {};
  if (!existsSync(dir)) return out;
  for (const rel of readdirSync(dir, { recursive: true }).sort()) {
    if (/^_(lake|temporary)(\/|$)/.test(rel) || !statSync(join(dir, rel)).isFile()) continue;
    out[rel] = readFileSync(join(dir, rel));
  }
  return out;
}

const zstdCompress = (buf) => execFileSync('zstd', ['-q', '-c'], { input: buf });
const zcat = (buf) => execFileSync('zcat', [], { input: buf });
const unzstd = (buf) => execFileSync('zstd', ['-q', '-d', '-c'], { input: buf });

/** Objects' plain text joined as lake joins them: a newline between two where the first lacks
 * one (an output of one object is its copy). */
function joinLines(parts) {
  const out = [];
  parts.forEach((p, i) => {
    const prev = parts[i - 1];
    if (prev && prev.length && prev[prev.length - 1] !== 10) out.push(Buffer.from('\n'));
    out.push(p);
  });
  return Buffer.concat(out);
}

/** n JSON lines for object `tag` (the last without its newline when `open`). */
function lines(tag, n, open = false) {
  const text = Array.from({ length: n }, (_, i) => JSON.stringify({ tag, i, pad: 'x'.repeat(20 + (i % 7)) })).join('\n');
  return Buffer.from(open ? text : `${text}\n`);
}

/** A source tree of days under two top-level directories; some objects lack a final newline. */
function sourceFiles() {
  return {
    'a/2024-01-01/e1.json': lines('e1', 3, true),
    'a/2024-01-01/e2.json': lines('e2', 2),
    'a/2024-01-02/e3.json': lines('e3', 4, true),
    'b/2024-01-01/e4.json': lines('e4', 5),
    'b/2024-01-03/e5.json': lines('e5', 1, true),
    'b/2024-01-03/e6.json': lines('e6', 6),
  };
}

/** The source objects of each day in byte-wise key order. */
function byDay(files) {
  const groups = new Map();
  for (const rel of Object.keys(files).sort()) {
    const day = /(\d{4}-\d{2}-\d{2})/.exec(rel)[1];
    if (!groups.has(day)) groups.set(day, []);
    groups.get(day).push(rel);
  }
  return groups;
}

/** Expected tree of --groupBy DAY --outputCodec none on json sources: an output per day, in the
 * directory of its first object, named DAY.json (S3DistCp's rule). */
function expectedByDay(files) {
  const out = {};
  for (const [day, rels] of byDay(files)) out[`${dirname(rels[0])}/${day}.json`] = joinLines(rels.map((r) => files[r]));
  return out;
}

function assertTree(got, want, what) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: the files`);
  for (const k of Object.keys(want)) assert.ok(got[k].equals(want[k]), `${what}: ${k} differs:\n${got[k]}\n---\n${want[k]}`);
}

function assertUsage(r, what, pattern) {
  assert.equal(r.status, 2, `${what}: exit 2, got ${r.status}\n${r.stderr}`);
  assert.match(r.stderr.split('\n')[0], pattern, what);
}

function assertFailed(r, what, pattern) {
  assert.notEqual(r.status, 0, `${what}: should fail\n${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], pattern, what);
}

const summaryField = (stdout, re) => Number(re.exec(stdout)?.[1]);

describe('lake distcp on local directories', () => {
  let tmp, src;
  const dc = (dest, extra = []) => lake(['distcp', '--src', src, '--dest', dest, ...extra]);
  before(() => {
    tmp = tempDir('lake-distcp-');
    src = join(tmp.dir, 'src');
    writeTree(src, sourceFiles());
  });
  after(() => tmp?.cleanup());

  test('no options: a byte-for-byte copy of the tree; hidden names stay behind', () => {
    writeTree(join(tmp.dir, 'plain'), { 'x/_SUCCESS': '', 'x/.crc': 'c', 'x/y.json': '{"a":1}', 'z.bin': Buffer.from([0, 1, 2]) });
    const dest = join(tmp.dir, 'plain-out');
    const r = lake(['distcp', '--src', join(tmp.dir, 'plain'), '--dest', dest]);
    assertExitOk(r, 'plain copy');
    assertTree(readTree(dest), { 'x/y.json': Buffer.from('{"a":1}'), 'z.bin': Buffer.from([0, 1, 2]) }, 'plain copy');
    assert.match(r.stdout, /2 objects in .* 2 objects out/);
  });

  test('--groupBy: one output per day in its first object\'s directory, newlines between objects', () => {
    const dest = join(tmp.dir, 'byday');
    const r = dc(dest, ['--groupBy', DAY, '--outputCodec', 'none']);
    assertExitOk(r, 'group by day');
    assertTree(readTree(dest), expectedByDay(sourceFiles()), 'group by day');
    assert.equal(summaryField(r.stdout, /(\d+) groups/), 3);
    // Each line of the outputs is one whole JSON record.
    for (const body of Object.values(readTree(dest))) for (const l of body.toString().trim().split('\n')) JSON.parse(l);
  });

  test('--groupBy with a Java-style class (\\w+), keep codec (no extension), --numberFiles --startingIndex', () => {
    const dest = join(tmp.dir, 'bytop');
    assertExitOk(dc(dest, ['--groupBy', '.*/src/(\\w+)/.*', '--numberFiles', '--startingIndex', '7']), 'group by top dir');
    const f = sourceFiles();
    const rels = Object.keys(f).sort();
    // Group "a": objects 0..2, first a/2024-01-01/e1.json (number 7); "b": from object 3 (10).
    assertTree(readTree(dest), {
      'a/2024-01-01/7a': joinLines(rels.slice(0, 3).map((r) => f[r])),
      'b/2024-01-01/10b': joinLines(rels.slice(3).map((r) => f[r])),
    }, 'group by top dir');
  });

  test('--raw-concat joins the bytes as S3DistCp does (records run together)', () => {
    const dest = join(tmp.dir, 'raw');
    assertExitOk(dc(dest, ['--groupBy', DAY, '--outputCodec', 'none', '--raw-concat']), 'raw concat');
    const f = sourceFiles();
    const want = {};
    for (const [day, rels] of byDay(f)) want[`${dirname(rels[0])}/${day}.json`] = Buffer.concat(rels.map((r) => f[r]));
    assertTree(readTree(dest), want, 'raw concat');
    assert.ok(readTree(dest)['a/2024-01-01/2024-01-01.json'].toString().includes('}{'), 'two records share a line');
  });

  test('--targetSize: a part closes once it reaches the size, objects are never split, later parts numbered', () => {
    const big = join(tmp.dir, 'big');
    const files = {};
    for (let i = 0; i < 7; i++) files[`d/2024-02-01/o${i}.json`] = Buffer.from(`${JSON.stringify({ i, pad: 'y'.repeat(400 * 1024) })}\n`);
    writeTree(big, files);
    const dest = join(tmp.dir, 'big-out');
    const r = lake(['distcp', '--src', big, '--dest', dest, '--groupBy', DAY, '--targetSize', '1', '--outputCodec', 'none']);
    assertExitOk(r, 'target size');
    const rels = Object.keys(files).sort();
    const part = (a, b) => Buffer.concat(rels.slice(a, b).map((k) => files[k]));
    // ~400 KiB each: three reach 1 MiB, so parts of 3, 3 and the last 1.
    assertTree(readTree(dest), {
      'd/2024-02-01/2024-02-01.json': part(0, 3),
      'd/2024-02-01/2024-02-011.json': part(3, 6),
      'd/2024-02-01/2024-02-012.json': part(6, 7),
    }, 'target size');
    assert.match(r.stdout, /7 objects in .* 3 objects out/);
  });

  test('every codec: gzip/gz and zstd read back by zcat and zstd; keep keeps; none decompresses', () => {
    const mixed = join(tmp.dir, 'mixed');
    const p1 = lines('p1', 3, true), p2 = lines('p2', 2), p3 = lines('p3', 4, true);
    writeTree(mixed, { 'm/2024-03-01/a.json': p1, 'm/2024-03-01/b.json.gz': gzipSync(p2), 'm/2024-03-01/c.json.zst': zstdCompress(p3) });
    const want = joinLines([p1, p2, p3]);
    for (const [codec, name, read] of [['gzip', '2024-03-01.gz', zcat], ['gz', '2024-03-01.gz', zcat],
      ['zstd', '2024-03-01.zst', unzstd], ['none', '2024-03-01.json', (b) => b]]) {
      const dest = join(tmp.dir, `codec-${codec}`);
      assertExitOk(lake(['distcp', '--src', mixed, '--dest', dest, '--groupBy', DAY, '--outputCodec', codec]), codec);
      const got = readTree(dest);
      assert.deepEqual(Object.keys(got), [`m/2024-03-01/${name}`], `${codec}: the output's name`);
      assert.ok(read(got[`m/2024-03-01/${name}`]).equals(want), `${codec}: the content`);
    }
    // keep on mixed compression is S3DistCp's error, before anything is written.
    const bad = lake(['distcp', '--src', mixed, '--dest', join(tmp.dir, 'codec-keep-mixed'), '--groupBy', DAY]);
    assertFailed(bad, 'keep on mixed inputs', /compressed differently/);
    assert.equal(existsSync(join(tmp.dir, 'codec-keep-mixed')), false, 'nothing written');
    // keep on gzip'd inputs: one gzip stream (the inputs' members, and a newline member).
    const gz = join(tmp.dir, 'gzonly');
    writeTree(gz, { 'g/2024-04-01/a.json.gz': gzipSync(p1), 'g/2024-04-01/b.json.gz': gzipSync(p2) });
    const dest = join(tmp.dir, 'codec-keep');
    assertExitOk(lake(['distcp', '--src', gz, '--dest', dest, '--groupBy', DAY]), 'keep gz');
    const out = readTree(dest)['g/2024-04-01/2024-04-01.gz'];
    assert.ok(zcat(out).equals(joinLines([p1, p2])), 'keep: zcat reads the joined records');
    // Ungrouped, a codec renames each copy: a.json -> a.json.gz; b.json.gz -> b.json with none.
    const one = join(tmp.dir, 'codec-each');
    assertExitOk(lake(['distcp', '--src', mixed, '--dest', one, '--outputCodec', 'gzip']), 'each gzip');
    assert.deepEqual(Object.keys(readTree(one)).sort(), ['m/2024-03-01/a.json.gz', 'm/2024-03-01/b.json.gz', 'm/2024-03-01/c.json.gz']);
    assert.ok(zcat(readTree(one)['m/2024-03-01/c.json.gz']).equals(p3), 'a copy of one object is its content');
    const none = join(tmp.dir, 'codec-each-none');
    assertExitOk(lake(['distcp', '--src', mixed, '--dest', none, '--outputCodec', 'none']), 'each none');
    assert.deepEqual(Object.keys(readTree(none)).sort(), ['m/2024-03-01/a.json', 'm/2024-03-01/b.json', 'm/2024-03-01/c.json']);
  });

  test('--srcPattern must match the whole path; --srcPrefixesFile lists only its prefixes', () => {
    const dest = join(tmp.dir, 'pattern');
    const r = dc(dest, ['--srcPattern', '.*/2024-01-0[13]/.*', '--outputCodec', 'none']);
    assertExitOk(r, 'src pattern');
    assert.deepEqual(Object.keys(readTree(dest)).sort(),
      ['a/2024-01-01/e1.json', 'a/2024-01-01/e2.json', 'b/2024-01-01/e4.json', 'b/2024-01-03/e5.json', 'b/2024-01-03/e6.json']);
    assert.equal(summaryField(r.stdout, /(\d+) by --srcPattern/), 1);
    const partial = join(tmp.dir, 'pattern-partial');
    assertExitOk(dc(partial, ['--srcPattern', 'e1']), 'a pattern matching part of a path only');
    assert.deepEqual(readTree(partial), {}, 'a partial match copies nothing');

    const list = join(tmp.dir, 'prefixes.txt');
    writeFileSync(list, `${src}/a/2024-01-02/\n\n${src}/b\n`);
    const pdest = join(tmp.dir, 'prefixed');
    assertExitOk(dc(pdest, ['--srcPrefixesFile', list, '--outputCodec', 'none']), 'prefixes file');
    assert.deepEqual(Object.keys(readTree(pdest)).sort(),
      ['a/2024-01-02/e3.json', 'b/2024-01-01/e4.json', 'b/2024-01-03/e5.json', 'b/2024-01-03/e6.json'],
      'only the prefixes, named relative to --src');
  });

  test('manifests: a second run with --previousManifest copies only new objects; --copyFromManifest; --requirePreviousManifest', () => {
    const inc = join(tmp.dir, 'inc');
    const first = { 'l/2024-05-01/a.json': lines('a', 2), 'l/2024-05-02/b.json': lines('b', 2) };
    writeTree(inc, first);
    const dest = join(tmp.dir, 'inc-out');
    const args = ['distcp', '--src', inc, '--dest', dest, '--groupBy', DAY, '--outputCodec', 'gzip'];
    assertExitOk(lake([...args, '--outputManifest', 'manifest-1.gz']), 'first run');
    const m1 = zcat(readFileSync(join(dest, 'manifest-1.gz'))).toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(m1.map((e) => Object.keys(e)), m1.map(() => ['path', 'baseName', 'srcDir', 'size']));
    assert.deepEqual(m1.map((e) => [e.path, e.baseName, e.srcDir, e.size]), [
      [`${dest}/l/2024-05-01/2024-05-01.gz`, 'l/2024-05-01/a.json', inc, first['l/2024-05-01/a.json'].length],
      [`${dest}/l/2024-05-02/2024-05-02.gz`, 'l/2024-05-02/b.json', inc, first['l/2024-05-02/b.json'].length],
    ]);
    const second = { 'l/2024-05-01/c.json': lines('c', 3), 'l/2024-05-03/d.json': lines('d', 1) };
    writeTree(inc, second);
    const r = lake([...args, '--previousManifest', join(dest, 'manifest-1.gz'), '--outputManifest', 'manifest-2.gz']);
    assertExitOk(r, 'second run');
    assert.equal(summaryField(r.stdout, /(\d+) objects in/), 2);
    assert.equal(summaryField(r.stdout, /skipped (\d+) by the previous manifest/), 2);
    const got = readTree(dest);
    // The day that had an output gets the next free name: the first run's output stays.
    assert.ok(zcat(got['l/2024-05-01/2024-05-01.gz']).equals(first['l/2024-05-01/a.json']));
    assert.ok(zcat(got['l/2024-05-01/2024-05-011.gz']).equals(second['l/2024-05-01/c.json']));
    assert.ok(zcat(got['l/2024-05-03/2024-05-03.gz']).equals(second['l/2024-05-03/d.json']));
    const m2 = zcat(got['manifest-2.gz']).toString().trim().split('\n').map((l) => JSON.parse(l).baseName).sort();
    assert.deepEqual(m2, [...Object.keys(first), ...Object.keys(second)].sort(), 'manifest-2 lists old and new');

    const fromDest = join(tmp.dir, 'inc-from');
    assertExitOk(lake(['distcp', '--src', inc, '--dest', fromDest, '--copyFromManifest', '--previousManifest', join(dest, 'manifest-1.gz')]), 'copy from manifest');
    assertTree(readTree(fromDest), first, 'exactly the manifest\'s objects');

    const missing = lake([...args.slice(0, 4), join(tmp.dir, 'inc-req'), '--previousManifest', join(tmp.dir, 'none.gz'), '--requirePreviousManifest']);
    assertFailed(missing, 'required manifest missing', /none\.gz does not exist/);
    assert.equal(existsSync(join(tmp.dir, 'inc-req')), false);
    assertUsage(lake([...args.slice(0, 4), join(tmp.dir, 'inc-req'), '--requirePreviousManifest']), 'no --previousManifest', /--requirePreviousManifest needs --previousManifest/);
    // Without --requirePreviousManifest a missing manifest is an empty one (a first run).
    assertExitOk(lake([...args.slice(0, 4), join(tmp.dir, 'inc-opt'), '--previousManifest', join(tmp.dir, 'none.gz')]), 'optional manifest');
  });

  test('--deleteOnSuccess deletes exactly the objects copied', () => {
    const del = join(tmp.dir, 'del');
    const files = sourceFiles();
    writeTree(del, files);
    const dest = join(tmp.dir, 'del-out');
    const r = lake(['distcp', '--src', del, '--dest', dest, '--groupBy', '.*/(2024-01-0[12])/.*', '--outputCodec', 'none', '--deleteOnSuccess']);
    assertExitOk(r, 'delete on success');
    const left = Object.keys(readTree(del)).sort();
    assert.deepEqual(left, ['b/2024-01-03/e5.json', 'b/2024-01-03/e6.json'], 'what --groupBy did not match stays');
    assert.equal(summaryField(r.stdout, /(\d+) sources deleted/), 4);
    assert.equal(Object.keys(readTree(dest)).length, 2);
  });

  test('bad input: one line naming what is wrong, nothing written', () => {
    const dest = join(tmp.dir, 'bad-out');
    const list = join(tmp.dir, 'bad-prefixes.txt');
    writeFileSync(list, `${src}/a\n/elsewhere/b\n`);
    assertFailed(dc(dest, ['--srcPrefixesFile', list]), 'prefix outside --src', /bad-prefixes\.txt line 2: '\/elsewhere\/b' is not under --src/);
    assertUsage(dc(dest, ['--groupBy', '.*/\\d+/.*']), 'no capture group', /--groupBy '.*' has no capture group/);
    assertUsage(dc(dest, ['--groupBy', '.*/(\\d+/.*']), 'invalid regex', /missing closing parenthesis at position 10/);
    assertUsage(dc(dest, ['--srcPattern', '[a-']), 'invalid class', /--srcPattern '\[a-': .* at position 3/);
    assertUsage(dc(join(src, 'a', 'out')), 'dest inside src', /--dest .* lies inside --src/);
    assertUsage(dc(dest, ['--targetSize', '0']), 'target size 0', /--targetSize/);
    assertUsage(dc(dest, ['--outputCodec', 'lzo']), 'unknown codec', /--outputCodec is keep, none, gzip, gz or zstd, not 'lzo'/);
    assertUsage(dc(dest, ['--startingIndex', '-1']), 'negative index', /--startingIndex/);
    assertFailed(lake(['distcp', '--src', join(tmp.dir, 'nowhere'), '--dest', dest]), 'missing source', /no objects to copy/);
    assert.equal(existsSync(dest), false, 'nothing written');
  });

  test('a failed commit puts back the objects it replaced; a commit killed at any step is completed by the next run', () => {
    const ow = join(tmp.dir, 'ow');
    writeTree(ow, { 'k/one.json': '{"v":"new1"}\n', 'k/two.json': '{"v":"new2"}\n' });
    const env = (k, v) => ({ ...process.env, [k]: String(v) });
    const before = { 'k/one.json': Buffer.from('{"v":"old1"}\n'), 'k/keep.json': Buffer.from('kept') };
    const done = { ...before, 'k/one.json': Buffer.from('{"v":"new1"}\n'), 'k/two.json': Buffer.from('{"v":"new2"}\n') };
    for (let k = 1; k < 12; k++) {
      const dest = join(tmp.dir, `ow-fail-${k}`);
      writeTree(dest, before);
      const r = execFile(['distcp', '--src', ow, '--dest', dest], env('LAKE_TEST_COMMIT_FAIL', k));
      if (r.status === 0) break;
      assert.equal(r.status, 1, `fail at ${k}: ${r.stderr}`);
      // Before the commit point the undo puts the replaced object back; after it (removing the
      // journal) the copy stands and the error says so.
      const committed = /committed/.test(r.stderr);
      assertTree(readTree(dest), committed ? done : before, `failed at step ${k} (${r.stderr.trim()})`);
    }
    let k = 1;
    for (; k < 12; k++) {
      const dest = join(tmp.dir, `ow-crash-${k}`);
      writeTree(dest, before);
      const r = execFile(['distcp', '--src', ow, '--dest', dest], env('LAKE_TEST_COMMIT_CRASH', k));
      if (r.status === 0) break;
      assert.equal(r.signal, 'SIGKILL', `crash at ${k}: ${r.stderr}`);
      assertExitOk(lake(['recover', dest]), `recover after step ${k}`);
      const got = readTree(dest);
      const old = got['k/one.json'].toString() === '{"v":"old1"}\n';
      assertTree(got, old ? before : done, `crashed at step ${k}: all or nothing after recovery`);
    }
    assert.ok(k > 3, `the commit made ${k - 1} changes`);
  });
});

/** Runs lake with the environment env; { status, signal, stdout, stderr }. */
function execFile(args, env) {
  const r = spawnSync(LAKE_BIN, args, { encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('lake distcp on S3 (s3rver)', () => {
  let s3, tmp, env, ep;
  const files = sourceFiles();
  const dc = (src, dest, extra = [], opts = {}) => lakeAsync(['distcp', '--src', src, '--dest', dest, ...ep, ...extra], { env, timeout: 120_000, ...opts });
  const put = async (prefix, tree) => {
    for (const [rel, body] of Object.entries(tree)) assert.equal(await backendPut(s3, `/lake/${prefix}/${rel}`, body), 200);
  };
  const fetchTree = async (prefix) => {
    const dir = join(tmp.dir, `dl-${Math.random().toString(36).slice(2)}`);
    await download(s3, 'lake', `${prefix}/`, dir);
    return readTree(dir);
  };
  const uploadsUnder = async (prefix) => (await s3.uploads('lake')).filter((u) => u.key.startsWith(`${prefix}/`));
  const listed = async (prefix) => (await backendList(s3, 'lake', `${prefix}/`)).map((k) => k.key).filter((k) => !k.startsWith(`${prefix}/_lake/`));

  before(async () => {
    s3 = await startS3({ buckets: ['lake'] });
    tmp = tempDir('lake-distcp-s3-');
    env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent/c', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/c' };
    for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3']) delete env[k];
    ep = ['--endpoint-url', s3.endpoint];
    await put('src', files);
    writeTree(join(tmp.dir, 'src'), files);
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  test('s3 -> s3, local -> s3 and s3 -> local give the local copy\'s bytes; no upload left open', async () => {
    const want = expectedByDay(files);
    const args = ['--groupBy', DAY, '--outputCodec', 'none'];
    assertExitOk(await dc('s3://lake/src', 's3://lake/s2s', args), 's3 -> s3');
    assertTree(await fetchTree('s2s'), want, 's3 -> s3');
    assertExitOk(await dc(join(tmp.dir, 'src'), 's3://lake/l2s', args), 'local -> s3');
    assertTree(await fetchTree('l2s'), want, 'local -> s3');
    assertExitOk(await dc('s3://lake/src', join(tmp.dir, 's2l'), args), 's3 -> local');
    assertTree(readTree(join(tmp.dir, 's2l')), want, 's3 -> local');
    assert.deepEqual(await s3.uploads('lake'), [], 'no multipart upload in progress');
    // gzip over S3: read back by zcat.
    assertExitOk(await dc('s3://lake/src', 's3://lake/s2s-gz', ['--groupBy', DAY, '--outputCodec', 'gzip']), 'gzip');
    const gz = await fetchTree('s2s-gz');
    for (const [k, v] of Object.entries(want)) assert.ok(zcat(gz[k.replace(/\.json$/, '.gz')]).equals(v), k);
  });

  test('--srcPattern and an s3:// --srcPrefixesFile on S3', async () => {
    assert.equal(await backendPut(s3, '/lake/lists/prefixes.txt', 's3://lake/src/a/2024-01-02\ns3://lake/src/b/\n'), 200);
    const r = await dc('s3://lake/src', 's3://lake/pfx', ['--srcPrefixesFile', 's3://lake/lists/prefixes.txt', '--srcPattern', '.*/e[3-5]\\.json']);
    assertExitOk(r, 'prefixes and pattern');
    assertTree(await fetchTree('pfx'), Object.fromEntries(['a/2024-01-02/e3.json', 'b/2024-01-01/e4.json', 'b/2024-01-03/e5.json'].map((k) => [k, files[k]])), 'filtered copy');
    assert.equal(await backendPut(s3, '/lake/lists/bad.txt', 's3://lake/src/a/\ns3://lake/other/\n'), 200);
    assertFailed(await dc('s3://lake/src', 's3://lake/pfx-bad', ['--srcPrefixesFile', 's3://lake/lists/bad.txt']), 'outside',
      /bad\.txt line 2: 's3:\/\/lake\/other\/' is not under --src s3:\/\/lake\/src/);
    assert.deepEqual(await backendList(s3, 'lake', 'pfx-bad/'), [], 'nothing written, not even a lock');
  });

  test('an output of several multipart parts on S3 (21 MiB, --multipartUploadChunkSize 5): the same bytes', async () => {
    const big = {};
    for (let i = 0; i < 3; i++) big[`g/2024-08-01/b${i}.json`] = Buffer.from(`${JSON.stringify({ i, pad: String(i).repeat(7 << 20) })}\n`);
    await put('big', big);
    const r = await dc('s3://lake/big', 's3://lake/big-out', ['--groupBy', DAY, '--outputCodec', 'none', '--multipartUploadChunkSize', '5']);
    assertExitOk(r, 'big group');
    const parts = s3.stats.queries.filter((q) => /^PUT \/lake\/big-out\/g\/2024-08-01\/2024-08-01\.json\?partNumber=/.test(q)).length;
    assert.ok(parts >= 4, `uploaded in ${parts} parts`);
    const { status, body } = await backendGet(s3, '/lake/big-out/g/2024-08-01/2024-08-01.json');
    assert.equal(status, 200);
    assert.ok(body.equals(Buffer.concat(Object.keys(big).sort().map((k) => big[k]))), 'the concatenation, byte for byte');
    assert.deepEqual(await uploadsUnder('big-out'), []);
  });

  test('manifests and --deleteOnSuccess on S3', async () => {
    await put('inc', { 'l/2024-05-01/a.json': lines('a', 2) });
    assertExitOk(await dc('s3://lake/inc', 's3://lake/inc-out', ['--groupBy', DAY, '--outputManifest', 'm1.gz', '--deleteOnSuccess']), 'first');
    assert.deepEqual(await listed('inc'), [], 'the source was deleted');
    const m1 = zcat((await backendGet(s3, '/lake/inc-out/m1.gz')).body).toString();
    assert.equal(JSON.parse(m1).path, 's3://lake/inc-out/l/2024-05-01/2024-05-01');
    await put('inc', { 'l/2024-05-01/a.json': lines('a', 2), 'l/2024-05-01/b.json': lines('b', 1) });
    const r = await dc('s3://lake/inc', 's3://lake/inc-out', ['--groupBy', DAY, '--previousManifest', 's3://lake/inc-out/m1.gz', '--requirePreviousManifest']);
    assertExitOk(r, 'second');
    assert.match(r.stdout, /1 objects in/);
    assert.deepEqual((await listed('inc-out')).sort(), ['inc-out/l/2024-05-01/2024-05-01', 'inc-out/l/2024-05-01/2024-05-011', 'inc-out/m1.gz']);
  });

  test('an unreadable source object: one line naming it, nothing under the destination, no upload open', async () => {
    s3.setFault((req) => (req.method === 'GET' && req.url.includes('/src/b/2024-01-01/e4.json') ? { status: 403, code: 'AccessDenied', message: 'no' } : null));
    try {
      const r = await dc('s3://lake/src', 's3://lake/unreadable', ['--groupBy', DAY, '--max-attempts', '2']);
      assertFailed(r, 'unreadable object', /e4\.json/);
    } finally {
      s3.setFault(null);
    }
    assert.deepEqual(await listed('unreadable'), []);
    assert.deepEqual(await uploadsUnder('unreadable'), []);
  });

  test('faults on a share of requests (5xx, resets, truncated bodies): the same output', async () => {
    let n = 0;
    s3.setFault((req) => {
      if (req.url.includes('/_lake/')) return null;
      n++;
      return n % 5 === 1 ? { status: 503, code: 'SlowDown', message: 'slow down' } : n % 5 === 2 ? 'reset' : n % 7 === 3 && req.method === 'GET' ? 'truncate' : null;
    });
    let r;
    try {
      r = await dc('s3://lake/src', 's3://lake/faulty', ['--groupBy', DAY, '--outputCodec', 'zstd', '--max-attempts', '8']);
    } finally {
      s3.setFault(null);
    }
    assertExitOk(r, 'copy with faults');
    const got = await fetchTree('faulty');
    for (const [k, v] of Object.entries(expectedByDay(files))) assert.ok(unzstd(got[k.replace(/\.json$/, '.zst')]).equals(v), k);
    assert.ok(s3.stats.faults.error > 0 && s3.stats.faults.reset > 0, JSON.stringify(s3.stats.faults));
    assert.deepEqual(await uploadsUnder('faulty'), []);
  });

  test('faults on every PUT of the data: fails cleanly, nothing under the destination, no upload open', async () => {
    s3.setFault((req) => (req.method === 'PUT' && !req.url.includes('/_lake/') ? { status: 500, code: 'InternalError', message: 'broken' } : null));
    let r;
    try {
      r = await dc('s3://lake/src', 's3://lake/noput', ['--groupBy', DAY, '--max-attempts', '2']);
    } finally {
      s3.setFault(null);
    }
    assertFailed(r, 'every PUT fails', /InternalError|500/);
    assert.deepEqual(await listed('noput'), [], 'nothing under the destination');
    assert.deepEqual(await uploadsUnder('noput'), [], 'no multipart upload left');
  });

  test('--progress draws the copy stage (objects, bytes, rate, ETA); --quiet prints nothing', async () => {
    const slow = {};
    for (let i = 0; i < 300; i++) slow[`p/2024-07-0${1 + (i % 2)}/o${String(i).padStart(3, '0')}.json`] = lines(`p${i}`, 2);
    await put('slow', slow);
    s3.setLatency(30);
    let r, q;
    try {
      r = await dc('s3://lake/slow', 's3://lake/slow-out', ['--groupBy', DAY, '--threads', '1', '--max-concurrency', '4', '--progress']);
      q = await dc('s3://lake/slow', 's3://lake/slow-q', ['--groupBy', DAY, '--quiet']);
    } finally {
      s3.setLatency(0);
    }
    assertExitOk(r, 'progress');
    const frames = r.stderr.split('\r').map((f) => f.replace(/\x1b\[K/g, '').trim()).filter(Boolean);
    assert.ok(frames.some((f) => /^copy +\d+\/300 objects +[\d.]+ kB\/[\d.]+ kB +[\d.]+ [kM]?B\/s +elapsed \d+:\d\d/.test(f)),
      `a copy line with objects, bytes and rate:\n${frames.join('\n')}`);
    assert.ok(frames.some((f) => /ETA \d+:\d\d$/.test(f)), `an ETA:\n${frames.join('\n')}`);
    assert.match(r.stdout, /300 objects in/);
    assertExitOk(q, 'quiet');
    assert.equal(q.stdout + q.stderr, '', '--quiet prints nothing');
  });

  test('kill -9 mid-copy, then a rerun: complete and correct output', async () => {
    const many = {};
    for (let i = 0; i < 40; i++) many[`k/2024-06-0${1 + (i % 3)}/o${String(i).padStart(2, '0')}.json`] = lines(`o${i}`, 3, i % 2 === 0);
    await put('many', many);
    s3.setLatency(40);
    const want = expectedByDay(many);
    try {
      const child = spawn(LAKE_BIN, ['distcp', '--src', 's3://lake/many', '--dest', 's3://lake/killed', ...ep,
        '--groupBy', DAY, '--outputCodec', 'none', '--threads', '2'], { env });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
      const p = new Promise((res) => child.on('close', (status, signal) => res({ status, signal, stdout: '', stderr })));
      // Killed once its outputs are on their way (a part of an upload sent), before the commit.
      const puts = () => s3.stats.queries.filter((q) => q.startsWith('PUT /lake/killed/k/')).length;
      for (let t = 0; t < 1000 && puts() < 1; t++) await new Promise((res) => setTimeout(res, 5));
      child.kill('SIGKILL');
      const r = await p;
      assert.equal(r.signal, 'SIGKILL', `killed mid-copy (${r.stdout}${r.stderr})`);
      assert.deepEqual(await listed('killed'), [], 'nothing visible after the kill');
    } finally {
      s3.setLatency(0);
    }
    // The killed run's lease ends (as a minute would make it), then the rerun completes.
    await backendPut(s3, '/lake/killed/_lake/lock', 'run killed, host h, pid 1, since 2026-01-01T00:00:00Z\nexpires 1767225600\n');
    assertExitOk(await dc('s3://lake/many', 's3://lake/killed', ['--groupBy', DAY, '--outputCodec', 'none']), 'rerun');
    assertTree(await fetchTree('killed'), want, 'rerun output');
    assert.deepEqual(await uploadsUnder('killed'), [], 'the killed run\'s uploads were aborted');
  });
});
