// Tests of the oracle itself: a hand-made input whose five tables were worked out by hand from
// SPEC.md, and cross-checks of DuckDB's JSON parsing against JavaScript's on generated data.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { computeOracle } from './lib/oracle.mjs';
import { loadInput, splitLines, splitValues } from './lib/input.mjs';
import { escapePartitionValue, partitionDir, unescapePartitionValue } from './lib/spark.mjs';
import { gen, tempDir } from './lib/lake.mjs';

function put(root, key, data) {
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), data);
}

function zstdAvailable() {
  return spawnSync('zstd', ['--version']).status === 0;
}

describe('oracle on a hand-computed input', () => {
  let tmp;
  let o;
  before(async () => {
    tmp = tempDir('lake-oracle-');
    const root = tmp.dir;
    put(root, 'song_data/A/A/A/TRAAA1.json',
      '{"num_songs":1,"artist_id":"AR1","artist_latitude":1.5,"artist_longitude":null,' +
      '"artist_location":"L1","artist_name":"N1","song_id":"SO1","title":"T1","duration":100.5,"year":2000}\n');
    put(root, 'song_data/A/A/B/TRAAB1.json.gz', gzipSync(
      '{"artist_id":"AR1","artist_latitude":null,"artist_longitude":null,"artist_location":"L2",' +
      '"artist_name":"N1b","song_id":"SO2","title":"T2","duration":0.1,"year":0}' +
      '{"artist_id":"AR1","artist_latitude":null,"artist_longitude":null,"artist_location":"L3",' +
      '"artist_name":"N1","song_id":"SO1","title":"T1dup","duration":100.5,"year":1999}'));
    const pretty = '{\n  "artist_id": "AR\\/x",\n  "artist_latitude": null,\n  "artist_longitude": null,\n' +
      '  "artist_location": "",\n  "artist_name": "N\\ud83c\\udf89",\n  "song_id": "SO3",\n' +
      '  "title": "T\\u00e9",\n  "duration": 1e2,\n  "year": null, "unknown": {"a": ["}"]}\n}';
    if (zstdAvailable()) {
      const z = spawnSync('zstd', ['-q', '-c'], { input: pretty });
      put(root, 'song_data/B/TRB.json.zst', z.stdout);
    } else {
      put(root, 'song_data/B/TRB.json', pretty);
    }
    const ev = (o) => JSON.stringify({
      artist: null, auth: 'Logged In', firstName: null, gender: null, itemInSession: 0, lastName: null,
      length: null, level: 'free', location: null, method: 'PUT', page: 'NextSong', registration: null,
      sessionId: 1, song: null, status: 200, ts: 0, userAgent: null, userId: '', ...o,
    });
    const u5 = { firstName: 'Ann', lastName: 'Lee', gender: 'F', location: 'Loc5', userAgent: '"UA/1"', userId: '5' };
    const u7 = { firstName: 'Bob', lastName: 'Ng', gender: 'M', location: 'Loc7', userAgent: 'UA7', userId: '7' };
    put(root, 'log_data/a.json', [
      ev({ ...u5, ts: 1546214399999, itemInSession: 0, song: 'T1', artist: 'N1', length: 100.5 }),
      '',
      // raw UTF-8 here, \u escapes in the song file
      ev({ ...u5, ts: 1546214400000, itemInSession: 1, song: 'Té', artist: 'N🎉', length: 100, level: 'paid' }),
      ev({ page: 'Home', ts: 1546214400000, sessionId: 3 }),
      ev({ ...u7, ts: 1546214400000, sessionId: 9, song: 'T1dup', artist: 'N1', length: 100.5 }),
      ev({ ...u7, ts: 1546214399000, sessionId: 9, itemInSession: 1, song: 'T2', artist: 'N1b', length: 0.1, level: 'paid' }),
    ].join('\n') + '\n');
    put(root, 'log_data/b.json', [
      ev({ ts: 1546214400001 }),
      '{bad',
      ev({ ...u5, userId: 'x1', ts: 1546214400002 }),
    ].join('\r\n'));
    o = await computeOracle(root);
  });
  after(() => tmp.cleanup());

  test('songs: first record in input order wins', () => {
    assert.deepEqual(o.tables.songs.map((r) => [[...r], r.__part]), [
      [['SO1', 'T1', 'AR1', 2000, 100.5], [2000, 'AR1']],
      [['SO2', 'T2', 'AR1', 0, 0.1], [0, 'AR1']],
      [['SO3', 'Té', 'AR/x', null, 100], [null, 'AR/x']],
    ]);
  });
  test('artists: values from the first record of the artist', () => {
    assert.deepEqual(o.tables.artists.map((r) => [...r]), [
      ['AR/x', 'N🎉', '', null, null],
      ['AR1', 'N1', 'L1', 1.5, null],
    ]);
  });
  test('users: latest NextSong by (ts, sessionId, itemInSession)', () => {
    assert.deepEqual(o.tables.users.map((r) => [...r]), [
      [5, 'Ann', 'Lee', 'F', 'paid'],
      [7, 'Bob', 'Ng', 'M', 'free'],
    ]);
  });
  test('time: UTC parts, ISO week, weekday 1 = Sunday', () => {
    assert.deepEqual(o.tables.time.map((r) => [[...r], r.__part]), [
      [[1546214399000000n, 23, 30, 52, 12, 2018, 1], [2018, 12]],
      [[1546214399999000n, 23, 30, 52, 12, 2018, 1], [2018, 12]],
      [[1546214400000000n, 0, 31, 1, 12, 2018, 2], [2018, 12]],
    ]);
  });
  test('songplays: exact join on the winning records, ids by (ts, user, session, item, song)', () => {
    assert.deepEqual(o.tables.songplays.map((r) => [...r]), [
      [1n, 1546214399000000n, 7, 'paid', 'SO2', 'AR1', 9n, 'Loc7', 'UA7'],
      [2n, 1546214399999000n, 5, 'free', 'SO1', 'AR1', 1n, 'Loc5', '"UA/1"'],
      [3n, 1546214400000000n, 5, 'paid', 'SO3', 'AR/x', 1n, 'Loc5', '"UA/1"'],
    ]);
  });
  test('bad records with source and line', () => {
    assert.deepEqual(o.rejected.map((r) => [r.source, r.line, r.reason]), [
      ['log_data/b.json', 1, 'empty userId'],
      ['log_data/b.json', 2, 'invalid JSON'],
      ['log_data/b.json', 3, 'userId not an integer'],
    ]);
    assert.equal(o.rejected[1].raw, '{bad');
  });
});

describe('record splitting and partition escaping', () => {
  test('splitLines: CRLF, blank lines, no final newline', () => {
    assert.deepEqual(splitLines(Buffer.from('a\r\n\n  \nb\nc')), [
      { line: 1, text: 'a' }, { line: 4, text: 'b' }, { line: 5, text: 'c' },
    ]);
  });
  test('splitValues: concatenated, pretty, braces inside strings', () => {
    const r = splitValues(Buffer.from('{"a":"}{"}{"b":1}\n\n{\n"c":\n[1,{"d":"\\"}"}]\n}\n'));
    assert.deepEqual(r.map((x) => [x.line, x.text]), [
      [1, '{"a":"}{"}'], [1, '{"b":1}'], [3, '{\n"c":\n[1,{"d":"\\"}"}]\n}'],
    ]);
  });
  test('Spark escaping', () => {
    assert.equal(escapePartitionValue('AR/ESC:ID=1%2 x'), 'AR%2FESC%3AID%3D1%252 x');
    assert.equal(escapePartitionValue('a#?*\'"[]{}^\\b'), 'a%23%3F%2A%27%22%5B%5D%7B}%5E%5Cb'); // '}' is not escaped by Spark
    assert.equal(escapePartitionValue('x'), 'x');
    assert.equal(escapePartitionValue('\x01\t\x7f'), '%01%09%7F');
    assert.equal(escapePartitionValue('Ünï 🎸'), 'Ünï 🎸');
    assert.equal(escapePartitionValue(''), '__HIVE_DEFAULT_PARTITION__');
    assert.equal(escapePartitionValue(null), '__HIVE_DEFAULT_PARTITION__');
    assert.equal(partitionDir(['year', 'artist_id'], [0, '../x']), 'year=0/artist_id=..%2Fx');
    for (const s of ['AR/../../etc', 'a%41', '\x1f=']) assert.equal(unescapePartitionValue(escapePartitionValue(s)), s);
  });
});

describe('oracle on generated data', () => {
  let tmp;
  let o;
  before(async () => {
    tmp = tempDir('lake-oracle-gen-');
    gen(tmp.dir, { songs: 400, events: 6000, seed: 3 });
    o = await computeOracle(tmp.dir);
  });
  after(() => tmp?.cleanup());

  test('every table is populated, no bad records in edge-case data', () => {
    for (const [name, rows] of Object.entries(o.tables)) assert.ok(rows.length > 0, `${name} is empty`);
    assert.ok(o.tables.songplays.length > 500, `only ${o.tables.songplays.length} songplays`);
    assert.deepEqual(o.rejected, []);
  });

  test('DuckDB parses strings and doubles as JavaScript does', () => {
    // JSON.parse is exact too (correctly rounded doubles, surrogate pairs), so the two must agree.
    const first = new Map();
    for (const r of o.input.songs) {
      const j = JSON.parse(r.text);
      if (!first.has(j.song_id)) first.set(j.song_id, j);
    }
    for (const row of o.tables.songs) {
      const j = first.get(row[0]);
      assert.deepEqual([...row], [j.song_id, j.title, j.artist_id, j.year, j.duration]);
    }
  });

  test('year boundaries give ISO weeks 52, 53 and 1', () => {
    const weeks = new Set(o.tables.time.map((r) => `${r[5]}-${r[4]}:${r[3]}`));
    for (const w of ['2018-12:52', '2018-12:1', '2019-1:1', '2020-12:53', '2021-1:53', '2021-1:1']) {
      assert.ok(weeks.has(w), `no time row with year-month:week ${w}`);
    }
  });

  test('edge cases are present: twin songs, lost duplicates, escaped partitions', () => {
    const sp = o.tables.songplays;
    assert.ok(sp.length > 0);
    const ids = new Set(o.tables.songs.map((r) => r[0]));
    assert.ok(ids.has('SOEDGEWITHINFILE01'));
    const within = o.tables.songs.find((r) => r[0] === 'SOEDGEWITHINFILE01');
    assert.equal(within[1], 'Within File First');
    assert.ok(o.tables.songs.some((r) => r[3] === null), 'a song with null year');
    assert.ok(o.tables.songs.some((r) => r[2].includes('/')), "an artist_id with '/'");
    const raw = loadInput(tmp.dir);
    assert.ok(raw.songs.length > o.tables.songs.length, 'duplicate song_ids in the input');
  });
});
