// lake run --compact[=PREFIX] (issue 20): song_data/ and log_data/ compacted by the distcp job
// into a staging location, then the ETL on the copy. The tables must be those of a run on the
// raw objects, Parquet file by Parquet file (contents per partition directory; names carry run
// ids), on `lake gen` data with its edge cases (.gz and .zst objects, bad records, objects
// without a final newline). A second run after the input changed (a new song object sorting
// before the old ones of its directory pair, a new day, an object deleted) copies only the
// outputs those changes touch, and its tables equal a fresh run on the new input. Locally and on
// s3rver (lib/s3server.mjs); a failed compaction leaves the previous tables as they were.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, assertExitOk, assertOneLineError, gen, lake, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { MPI_ENV } from './lib/mpi_env.mjs';
import { ACCESS_KEY, SECRET_KEY, backendGet, backendList, backendPut, download, s3ClientEnv, startS3 } from './lib/s3server.mjs';
import { assertValid } from './lib/summary_schema.mjs';

/** Every Parquet file's contents under dir by its directory, hidden directories (_compacted/,
 * _rejected/, _lake/) left out: equal digests mean the same tables byte for byte. */
function tableDigest(dir) {
  const lines = [];
  for (const rel of readdirSync(dir, { recursive: true })) {
    if (!rel.endsWith('.parquet') || rel.split('/').some((c) => c.startsWith('_'))) continue;
    lines.push(`${dirname(rel)} ${createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')}`);
  }
  assert.ok(lines.length > 10, `tables under ${dir}`);
  return lines.sort().join('\n');
}

/** Every file under dir, rel -> Buffer (hidden names at the top aside). */
function files(dir) {
  const out = {};
  for (const rel of readdirSync(dir, { recursive: true }).sort()) {
    if (rel.startsWith('_') || !statSync(join(dir, rel)).isFile()) continue;
    out[rel] = readFileSync(join(dir, rel));
  }
  return out;
}

/** The figures of the "lake run --compact:" summary line. */
function compactLine(stdout) {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.startsWith('lake run --compact: '));
  assert.ok(i >= 0, `a compaction line in:\n${stdout}`);
  assert.match(lines[i + 1], /^lake run [0-9a-f-]{36}: /, 'the compaction line comes before the run\'s summary');
  const m = /: (\d+) objects copied into (\d+) \((\d+) groups.*\), (\d+) objects in (\d+) outputs unchanged since the manifest, (\d+) outputs removed, /.exec(lines[i]);
  assert.ok(m, lines[i]);
  const [copied, written, groups, kept, keptOutputs, removed] = m.slice(1).map(Number);
  return { copied, written, groups, kept, keptOutputs, removed };
}

/** A song directory pair (song_data/X/Y/) holding at least two objects, and its objects. */
function pairWithTwo(input) {
  const byPair = new Map();
  for (const rel of Object.keys(files(join(input, 'song_data')))) {
    const pair = rel.split('/').slice(0, 2).join('/');
    if (rel.split('/').length < 4) continue;
    byPair.set(pair, [...(byPair.get(pair) || []), rel]);
  }
  for (const [pair, objs] of byPair) if (objs.length >= 2) return { pair, objs: objs.sort() };
  throw new Error('no song directory pair with two objects');
}

/** A new song record: an existing one with another id and title. */
function newSong(body, tag) {
  const rec = JSON.parse(body.toString('utf8').trim().split('\n')[0]);
  return `${JSON.stringify({ ...rec, song_id: `SONEW${tag}`, title: `New ${tag}` })}\n`;
}

describe('lake run --compact on local directories', () => {
  let tmp, input;
  before(() => {
    tmp = tempDir('lake-compact-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 400, events: 4000, seed: 20, badRecords: true });
  });
  after(() => tmp?.cleanup());

  test('the tables equal a run on the raw objects; fewer, larger objects are read', () => {
    const rawJson = join(tmp.dir, 'raw.json'), cmpJson = join(tmp.dir, 'cmp.json');
    const raw = lake(['run', '-i', input, '-o', join(tmp.dir, 'raw'), '--summary-json', rawJson]);
    assertExitOk(raw, 'raw run');
    const out = join(tmp.dir, 'out');
    const r = lake(['run', '-i', input, '-o', out, '--compact', '--summary-json', cmpJson]);
    assertExitOk(r, 'run --compact');
    assert.equal(tableDigest(out), tableDigest(join(tmp.dir, 'raw')));
    const c = compactLine(r.stdout);
    const inputObjects = Object.keys(files(join(input, 'song_data'))).length + Object.keys(files(join(input, 'log_data'))).length;
    assert.equal(c.copied, inputObjects, 'every input object is copied');
    assert.ok(c.written < inputObjects, `${c.written} outputs for ${inputObjects} objects`);
    assert.equal(c.kept, 0);
    // --summary-json: compact null without --compact, its figures with.
    const rawDoc = JSON.parse(readFileSync(rawJson, 'utf8')), doc = JSON.parse(readFileSync(cmpJson, 'utf8'));
    assertValid(rawDoc);
    assertValid(doc);
    assert.equal(rawDoc.compact, null);
    assert.equal(doc.compact.prefix, join(out, '_compacted'));
    assert.deepEqual([doc.compact.objects_copied, doc.compact.outputs_written, doc.compact.objects_kept, doc.compact.outputs_removed],
      [c.copied, c.written, 0, 0]);
    assert.equal(doc.input.song_objects + doc.input.log_objects, c.written);
    const staged = files(join(out, '_compacted'));
    assert.equal(Object.keys(staged).length, c.written);
    assert.ok(existsSync(join(out, '_compacted', '_compact-manifest.gz')));
    // The copy is uncompressed JSON whose records are the input's, in the input's order.
    for (const k of Object.keys(staged)) assert.match(k, /^(song_data|log_data)\/.*\.json$/);
    const rawRuns = /(\d+) song objects, (\d+) log objects/.exec(raw.stdout).slice(1).map(Number);
    const cmpRuns = /(\d+) song objects, (\d+) log objects/.exec(r.stdout).slice(1).map(Number);
    assert.ok(cmpRuns[0] < rawRuns[0], 'the run read fewer song objects');
    assert.equal(/records: .*/.exec(r.stdout)[0], /records: .*/.exec(raw.stdout)[0]);
  });

  test('a second run copies only what changed; its tables equal a fresh run on the new input', () => {
    const out = join(tmp.dir, 'out');
    const { pair, objs } = pairWithTwo(input);
    // A song object sorting before every old one of its pair, a new day, an object deleted.
    const first = join(input, 'song_data', objs[0]);
    const earlyDir = join(input, 'song_data', pair, '0');
    mkdirSync(earlyDir, { recursive: true });
    writeFileSync(join(earlyDir, 'TR0000000000000001.json'), newSong(readFileSync(first), 'EARLY'));
    const days = Object.keys(files(join(input, 'log_data'))).filter((k) => /-events\.json$/.test(k)).sort();
    const lastDay = days[days.length - 1];
    mkdirSync(join(input, 'log_data', '2030', '01'), { recursive: true });
    copyFileSync(join(input, 'log_data', lastDay), join(input, 'log_data', '2030', '01', '2030-01-01-events.json'));
    const gone = objs[objs.length - 1];
    rmSync(join(input, 'song_data', gone));

    const r = lake(['run', '-i', input, '-o', out, '--compact']);
    assertExitOk(r, 'second run --compact');
    const c = compactLine(r.stdout);
    // The pair's outputs are copied whole (its objects, the new one in, the deleted one out), and
    // the new day; everything else is kept.
    assert.equal(c.written, 2, JSON.stringify(c));
    assert.equal(c.copied, objs.length - 1 + 1 + 1, JSON.stringify(c));
    const inputObjects = Object.keys(files(join(input, 'song_data'))).length + Object.keys(files(join(input, 'log_data'))).length;
    assert.equal(c.kept + c.copied, inputObjects);
    assert.ok(c.keptOutputs > 10);
    const staged = files(join(out, '_compacted'));
    assert.ok(Object.keys(staged).includes(`song_data/${pair}/0/TR0000000000000001.json`), Object.keys(staged).filter((k) => k.includes(pair)).join());
    assert.equal(c.removed, 1, 'the output named after the old first object is removed');
    // The manifest lists exactly the input objects.
    const manifest = gunzipSync(readFileSync(join(out, '_compacted', '_compact-manifest.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(manifest.length, inputObjects);
    assert.ok(!manifest.some((e) => e.baseName === `song_data/${gone}`), 'the deleted object is not in the copy');

    const fresh = join(tmp.dir, 'fresh');
    assertExitOk(lake(['run', '-i', input, '-o', fresh, '-q']), 'fresh run');
    assert.equal(tableDigest(out), tableDigest(fresh));

    // Nothing changed: nothing copied, the tables the same.
    const again = lake(['run', '-i', input, '-o', out, '--compact']);
    assertExitOk(again, 'third run');
    const c3 = compactLine(again.stdout);
    assert.deepEqual([c3.copied, c3.written, c3.removed], [0, 0, 0]);
    assert.equal(tableDigest(out), tableDigest(fresh));
  });

  test('--compact=PREFIX stages elsewhere; the output holds no _compacted/', () => {
    const out = join(tmp.dir, 'out-prefix');
    const stage = join(tmp.dir, 'stage', 'here');
    const r = lake(['run', '-i', input, '-o', out, `--compact=${stage}`, '-v']);
    assertExitOk(r, 'run --compact=PREFIX');
    assert.ok(!existsSync(join(out, '_compacted')));
    assert.ok(existsSync(join(stage, '_compact-manifest.gz')));
    assert.match(r.stderr, /lake run --compact: .*objects copied into/, '--verbose says what compaction did');
    const fresh = join(tmp.dir, 'fresh2');
    assertExitOk(lake(['run', '-i', input, '-o', fresh, '-q']), 'fresh run');
    assert.equal(tableDigest(out), tableDigest(fresh));
  });

  test('under mpirun -np 3 one rank copies, the others wait for it; the tables are the same', async () => {
    const out = join(tmp.dir, 'out-mpi');
    const r = await spawnAsync('mpirun', ['--oversubscribe', '-np', '3', LAKE_BIN, 'run', '-i', input, '-o', out, '--threads', '1', '--compact'],
      { env: { ...process.env, ...MPI_ENV }, timeout: 300_000 });
    assertExitOk(r, 'mpirun lake run --compact');
    const c = compactLine(r.stdout);
    const inputObjects = Object.keys(files(join(input, 'song_data'))).length + Object.keys(files(join(input, 'log_data'))).length;
    assert.equal(c.copied + c.kept, inputObjects);
    const fresh = join(tmp.dir, 'fresh-mpi');
    assertExitOk(lake(['run', '-i', input, '-o', fresh, '-q']), 'fresh run');
    assert.equal(tableDigest(out), tableDigest(fresh));
  });

  test('a bad PREFIX is an error and nothing is written', () => {
    const out = join(tmp.dir, 'never');
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    const empty = lake(['run', '-i', input, '-o', out, '--compact=']);
    assert.equal(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /--compact is empty/);
    assertOneLineError(lake(['run', '-i', input, '-o', out, `--compact=${file}`]), 'a file', /--compact .*a-file.*not a directory/);
    assertOneLineError(lake(['run', '-i', input, '-o', out, `--compact=${input}`]), 'the input', /--compact .*would write .*song_data.*which it reads from/);
    assertOneLineError(lake(['run', '-i', input, '-o', out, `--compact=${join(input, 'song_data', 'x')}`]), 'inside the input', /which it reads from/);
    assertOneLineError(lake(['run', '-i', input, '-o', out, `--compact=${out}/`]), 'the output', /--compact=.* is the output root/);
    // A missing dataset is named against the input, before anything is copied.
    const half = join(tmp.dir, 'half');
    mkdirSync(join(half, 'song_data'), { recursive: true });
    writeFileSync(join(half, 'song_data', 'a.json'), '{}\n');
    assertOneLineError(lake(['run', '-i', half, '-o', out, '--compact']), 'no log_data/', /^lake run: no log_data\/ under .*half: nothing to compact$/);
    assert.ok(!existsSync(out), 'nothing written');
    assert.ok(!existsSync(join(input, 'song_data', 'x')));
  });

  test('a failed compaction leaves the previous tables and the copy as they were', () => {
    const out = join(tmp.dir, 'out');
    const before = tableDigest(out);
    const manifest = readFileSync(join(out, '_compacted', '_compact-manifest.gz'));
    const bad = join(input, 'log_data', '2030', '01', '2030-01-02-events.json.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]));
    try {
      const r = lake(['run', '-i', input, '-o', out, '--compact']);
      assertOneLineError(r, 'corrupt .gz', /^lake run: --compact .*2030-01-02-events\.json\.gz/);
      assert.equal(tableDigest(out), before);
      assert.deepEqual(readFileSync(join(out, '_compacted', '_compact-manifest.gz')), manifest);
      assert.ok(!existsSync(join(out, '_compacted', 'log_data', '2030', '01', '2030-01-02-events.json')));
    } finally {
      rmSync(bad);
    }
  });
});

describe('lake run --compact on S3 (s3rver)', () => {
  let s3, tmp, env, ep;
  const lakeS3 = (args) => lakeAsync([...args, ...ep], { env, timeout: 240_000 });
  const del = async (key) => {
    const r = await fetch(`${s3.backend}/lake/${key}`, { method: 'DELETE' });
    assert.equal(r.status, 204);
  };
  const keys = async (prefix) => (await backendList(s3, 'lake', prefix)).map((o) => o.key);

  before(async () => {
    s3 = await startS3({ buckets: ['lake'] });
    tmp = tempDir('lake-compact-s3-');
    env = s3ClientEnv(s3, ACCESS_KEY, SECRET_KEY);
    ep = ['--endpoint-url', s3.endpoint];
    assertExitOk(await lakeS3(['gen', 's3://lake/in', '--songs', '300', '--events', '3000', '--seed', '21', '--bad-records']), 'gen to S3');
  });
  after(async () => {
    await s3?.stop();
    tmp?.cleanup();
  });

  test('S3 input, S3 staging: tables equal the raw run\'s, then only changes are copied', async () => {
    const raw = join(tmp.dir, 'raw');
    assertExitOk(await lakeS3(['run', '-i', 's3://lake/in', '-o', raw, '-q']), 'raw run');
    const out = join(tmp.dir, 'out');
    const r = await lakeS3(['run', '-i', 's3://lake/in', '-o', out, '--compact=s3://lake/stage/']);
    assertExitOk(r, 'run --compact=s3://');
    assert.equal(tableDigest(out), tableDigest(raw));
    const c = compactLine(r.stdout);
    const inKeys = await keys('in/');
    assert.equal(c.copied, inKeys.length);
    assert.equal((await keys('stage/')).filter((k) => !k.startsWith('stage/_')).length, c.written);
    assert.deepEqual(await s3.uploads('lake'), [], 'no upload left open');

    // Changes: a song sorting first in a pair with two objects, a new day, a deleted object.
    const songs = inKeys.filter((k) => /^in\/song_data\/[^/]+\/[^/]+\/[^/]+\/[^/]+\.json$/.test(k)).sort();
    const pairOf = (k) => k.split('/').slice(2, 4).join('/');
    const i = songs.findIndex((k, j) => j + 1 < songs.length && pairOf(songs[j + 1]) === pairOf(k));
    const pair = pairOf(songs[i]);
    const body = (await backendGet(s3, `/lake/${songs[i]}`)).body;
    assert.equal(await backendPut(s3, `/lake/in/song_data/${pair}/0/TR0000000000000002.json`, newSong(body, 'S3')), 200);
    const day = inKeys.find((k) => /\/\d{4}-\d{2}-\d{2}-events\.json$/.test(k));
    assert.equal(await backendPut(s3, '/lake/in/log_data/2031/02/2031-02-03-events.json', (await backendGet(s3, `/lake/${day}`)).body), 200);
    await del(songs[i + 1]);

    const r2 = await lakeS3(['run', '-i', 's3://lake/in', '-o', out, '--compact=s3://lake/stage']);
    assertExitOk(r2, 'second run');
    const c2 = compactLine(r2.stdout);
    assert.equal(c2.written, 2, JSON.stringify(c2));
    assert.equal(c2.copied + c2.kept, inKeys.length + 1);
    const fresh = join(tmp.dir, 'fresh');
    assertExitOk(await lakeS3(['run', '-i', 's3://lake/in', '-o', fresh, '-q']), 'fresh run');
    assert.equal(tableDigest(out), tableDigest(fresh));
  });

  test('S3 output: the default staging is OUTPUT/_compacted; a failed compaction leaves the tables', async () => {
    const r = await lakeS3(['run', '-i', 's3://lake/in', '-o', 's3://lake/out', '--compact']);
    assertExitOk(r, 'run --compact to S3');
    assert.ok((await keys('out/_compacted/song_data/')).length > 0);
    const dl = async (name) => {
      const dir = join(tmp.dir, name);
      await download(s3, 'lake', 'out/', dir);
      return tableDigest(dir);
    };
    const first = await dl('dl1');
    const fresh = join(tmp.dir, 'fresh-s3');
    assertExitOk(await lakeS3(['run', '-i', 's3://lake/in', '-o', fresh, '-q']), 'fresh run');
    assert.equal(first, tableDigest(fresh));

    // Every PUT and upload to the staging fails: the run fails, the tables stay.
    assert.equal(await backendPut(s3, '/lake/in/log_data/2031/02/2031-02-04-events.json', '{"x":1}\n'), 200);
    s3.setFault((req) => (['PUT', 'POST'].includes(req.method) && req.url.includes('/out/_compacted/') && !req.url.includes('/_lake/')
      ? { status: 500, code: 'InternalError', message: 'broken' } : null));
    try {
      const bad = await lakeS3(['run', '-i', 's3://lake/in', '-o', 's3://lake/out', '--compact', '--max-attempts', '2']);
      assertOneLineError(bad, 'faults on the staging', /^lake run: --compact /);
    } finally {
      s3.setFault(null);
    }
    assert.equal(await dl('dl2'), first);
    assert.deepEqual(await keys('out/_compacted/log_data/2031/02/2031-02-04'), [], 'nothing of the failed copy is visible');
    assert.deepEqual(await s3.uploads('lake'), [], 'no upload left open');
  });
});
