// Every record is judged on its own (issue 18, defects 7 and 8), on a small hand-written input:
//
// - a partition value that cannot be a directory name (a 5,000-byte artist_id, 246 plain bytes,
//   82 '/' that escape to 246) makes its song record bad, with a reason naming the field, its
//   length and the limit; the run goes on, and a value just at the limit (245 bytes) is written;
// - a lone surrogate (\ud800, \udc00) in any string makes the record bad whether or not it is
//   its user's latest event, its song's first record, or a field lake reads;
// - a key lake reads that appears twice in an object makes the record bad, naming the key (a
//   repeated page key whatever the page); repeated keys lake does not read, or in events that
//   feed no table, do not.
// The tables must equal the oracle's on the same input without the bad lines.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run, tempDir } from './lib/lake.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput, readRejected } from './lib/output.mjs';

const song = (id, artistId, extra = '') =>
  `{"song_id":"${id}","title":"Title ${id}","artist_id":"${artistId}","artist_name":"Artist ${id}",` +
  `"artist_location":"","artist_latitude":null,"artist_longitude":null,"duration":200.5,"year":2000${extra}}`;

const event = (user, ts, { first = 'Ann', last = 'Lee', extra = '', page = 'NextSong', song = 'Title S1', artist = 'Artist S1' } = {}) =>
  `{"artist":"${artist}","auth":"Logged In","firstName":"${first}","gender":"F","itemInSession":0,` +
  `"lastName":"${last}","length":200.5,"level":"free","location":"Here","method":"PUT","page":"${page}",` +
  `"registration":1540000000000.0,"sessionId":7,"song":"${song}","status":200,"ts":${ts},` +
  `"userAgent":"agent","userId":"${user}"${extra}}`;

// [line text, expected reason (a RegExp) or null for a good record]
const SONGS = [
  [song('S1', 'AR1'), null],
  [song('S2', 'A'.repeat(5000)), /^field 'artist_id': a value of 5000 bytes cannot be a partition directory: 'artist_id=\.\.\.' would be 5010 bytes escaped, over the limit of 255 bytes per path component$/],
  [song('S3', 'B'.repeat(245)), null],
  [song('S4', 'C'.repeat(246)), /field 'artist_id': a value of 246 bytes .* 256 bytes escaped, over the limit of 255/],
  [song('S5', '/'.repeat(82)), /field 'artist_id': a value of 82 bytes .* 256 bytes escaped/],
  [song('S6', '/'.repeat(81)), null],
  // S1 again, later in input order: it loses the dedup anyway, and is bad on its own
  [song('S1', 'AR1').replace('"Title S1"', '"Title \\ud800"'), /^invalid JSON: lone surrogate \\ud800 in the value of 'title'$/],
  [song('S7', 'AR7', ',"artist_id":"AR8"'), /^key 'artist_id' appears more than once in the object$/],
  [song('S8', 'AR8', ',"notes":"a","notes":"b"'), null],
  [song('S9', 'AR9', ',"notes":"\\udc00"'), /^invalid JSON: lone surrogate \\udc00 in the value of 'notes'$/],
];

const EVENTS = [
  [event(1, 1000, { first: 'Bad\\ud800' }), /^invalid JSON: lone surrogate \\ud800 in the value of 'firstName'$/], // not user 1's latest
  [event(1, 2000), null],
  [event(2, 3000, { first: 'Bo' }), null],
  [event(2, 4000, { last: '\\udc00' }), /lone surrogate \\udc00 in the value of 'lastName'/], // user 2's latest
  [event(3, 5000, { extra: ',"level":"paid"' }), /^key 'level' appears more than once in the object$/],
  [event(3, 4500), null],
  [event(4, 6000, { page: 'Home', extra: ',"page":"NextSong"' }), /^key 'page' appears more than once in the object$/],
  [event(5, 6500, { page: 'Home', extra: ',"level":"paid"' }), null], // feeds no table
  [event(6, 7000, { extra: ',"auth":"x","method":"GET"' }), null], // keys lake does not read
  [event(1, 1500, { extra: ',"ts":9000' }), /^key 'ts' appears more than once in the object$/],
  [event(7, 8000, { page: 'Home', first: '\\ud800' }), /lone surrogate \\ud800 in the value of 'firstName'/], // invalid JSON whatever the page
];

function writeInput(dir, keepBad) {
  const pick = (rows) => rows.filter(([, why]) => keepBad || !why).map(([t]) => t).join('\n') + '\n';
  mkdirSync(join(dir, 'song_data', 'A'), { recursive: true });
  mkdirSync(join(dir, 'log_data', '2018', '11'), { recursive: true });
  writeFileSync(join(dir, 'song_data', 'A', 'songs.json'), pick(SONGS));
  writeFileSync(join(dir, 'log_data', '2018', '11', '2018-11-01-events.json'), pick(EVENTS));
}

describe('records judged one by one', () => {
  let tmp;
  let oracle;
  before(async () => {
    tmp = tempDir('lake-records-');
    writeInput(join(tmp.dir, 'in'), true);
    writeInput(join(tmp.dir, 'clean'), false);
    oracle = await computeOracle(join(tmp.dir, 'clean'));
  });
  after(() => tmp?.cleanup());

  for (const threads of [1, 2]) {
    test(`long partition values, lone surrogates and repeated keys are bad records with their reason; the tables equal the oracle's without them (--threads ${threads})`, async () => {
      const out = join(tmp.dir, `out-${threads}`);
      // Most of this small input is bad on purpose: an explicit limit replaces the default 50 %.
      const r = run(join(tmp.dir, 'in'), out, ['--threads', String(threads), '--max-bad-records', '1000']);
      assert.equal(r.status, 0, `lake run exited ${r.status}\n${r.stdout}${r.stderr}`);
      const expected = [
        ...SONGS.map(([, why], i) => ['song_data/A/songs.json', i + 1, why]),
        ...EVENTS.map(([, why], i) => ['log_data/2018/11/2018-11-01-events.json', i + 1, why]),
      ].filter(([, , why]) => why);
      assert.match(r.stdout, new RegExp(`\\b${expected.length} bad\\b`), `the summary counts ${expected.length} bad records`);
      const rej = readRejected(out).records;
      const got = new Map(rej.map((x) => [`${x.source}:${x.line}`, x]));
      const problems = [];
      for (const [source, line, why] of expected) {
        const x = got.get(`${source}:${line}`);
        if (!x) problems.push(`${source}:${line} not rejected (expected ${why})`);
        else if (!why.test(x.reason)) problems.push(`${source}:${line}: reason ${JSON.stringify(x.reason)} does not match ${why}`);
        got.delete(`${source}:${line}`);
      }
      for (const x of got.values()) problems.push(`unexpected reject ${x.source}:${x.line}: ${x.reason}`);
      assert.deepEqual(problems, []);
      const lake = await readLakeOutput(out);
      assert.deepEqual(compareWithOracle(lake, oracle, lake.problems), []);
      assert.ok(existsSync(join(out, 'songs', 'year=2000', `artist_id=${'B'.repeat(245)}`)), 'the 255-byte directory name is written');
      assert.ok(existsSync(join(out, 'songs', 'year=2000', `artist_id=${'%2F'.repeat(81)}`)), 'the escaped 253-byte directory name is written');
    });
  }
});
