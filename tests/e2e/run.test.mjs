// End-to-end: `lake gen` -> `lake run` -> every table compared with the DuckDB oracle of SPEC.md,
// every file read back by DuckDB and by hyparquet.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { computeOracle, TABLES } from './lib/oracle.mjs';
import { datasetKeys } from './lib/input.mjs';
import {
  compareWithOracle,
  readLakeOutput,
  readRejected,
  showRow,
  snapshotDir,
} from './lib/output.mjs';
import { gen, run, tempDir } from './lib/lake.mjs';

const SONGS = Number(process.env.LAKE_E2E_SONGS || 400);
const EVENTS = Number(process.env.LAKE_E2E_EVENTS || 8000);

function report(problems, max = 15) {
  if (!problems.length) return;
  const more = problems.length > max ? `\n... and ${problems.length - max} more` : '';
  assert.fail(`${problems.length} problem(s):\n${problems.slice(0, max).join('\n')}${more}`);
}

function assertRunOk(r, what) {
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

// Runs lake with args, reads its tables back and fails on any difference from the oracle
// (problems prefixed with tag).
async function runMatchesOracle(input, out, args, oracle, { codec = 'snappy', tag = '' } = {}) {
  assertRunOk(run(input, out, args), ['lake run', ...args].join(' '));
  const lake = await readLakeOutput(out, { codec });
  report(compareWithOracle(lake, oracle, lake.problems).map((p) => tag + p));
}

describe('lake run on edge-case data', () => {
  let tmp;
  let input;
  let oracle;
  before(async () => {
    tmp = tempDir();
    input = join(tmp.dir, 'in');
    gen(input, { songs: SONGS, events: EVENTS, seed: 11 });
    oracle = await computeOracle(input);
  });
  after(() => tmp?.cleanup());

  test('all five tables equal the oracle (default snappy, default threads)', async () => {
    const out = join(tmp.dir, 'out-default');
    await runMatchesOracle(input, out, [], oracle);
    const rej = readRejected(out);
    assert.deepEqual(rej.records, [], 'clean edge-case data has no bad records');
  });

  test('--threads 1 and --threads 2 write the same rows in the same order', async () => {
    const outs = [];
    for (const n of [1, 2]) {
      const out = join(tmp.dir, `out-t${n}`);
      assertRunOk(run(input, out, ['--threads', String(n)]), `lake run --threads ${n}`);
      const lake = await readLakeOutput(out);
      report(lake.problems);
      outs.push(lake);
    }
    const problems = [];
    for (const table of Object.keys(TABLES)) {
      // File names differ only by the run uuid.
      const shape = (l) => l.tables[table].files.map((f) => f.rel.replace(/-[0-9a-f-]{36}-/, '-UUID-'));
      const [a, b] = outs.map(shape);
      if (a.join('\n') !== b.join('\n')) {
        problems.push(`${table}: file lists differ:\n  t1 ${a.slice(0, 5)}\n  t2 ${b.slice(0, 5)}`);
        continue;
      }
      outs[0].tables[table].files.forEach((f, i) => {
        const g = outs[1].tables[table].files[i];
        const n = Math.max(f.rows.length, g.rows.length);
        for (let k = 0; k < n; k++) {
          const x = f.rows[k] ? showRow(f.rows[k]) : '(none)';
          const y = g.rows[k] ? showRow(g.rows[k]) : '(none)';
          if (x !== y) {
            problems.push(`${table}: ${f.rel} row ${k}: threads 1 ${x} != threads 2 ${y}`);
            break;
          }
        }
      });
    }
    report(problems);
    report(compareWithOracle(outs[1], oracle));
  });

  for (const codec of ['none', 'zstd', 'gzip', 'lz4_raw']) {
    test(`--compression ${codec} gives valid files with the same tables`, async () => {
      await runMatchesOracle(input, join(tmp.dir, `out-${codec}`), ['--compression', codec], oracle, { codec });
    });
  }
});

describe('lake run on data with bad records', () => {
  let tmp;
  let input;
  let clean;
  let oracle;
  before(async () => {
    tmp = tempDir();
    input = join(tmp.dir, 'in-bad');
    clean = join(tmp.dir, 'in-clean');
    gen(input, { songs: 200, events: 3000, seed: 5, badRecords: true });
    gen(clean, { songs: 150, events: 2000, seed: 6 });
    oracle = await computeOracle(input);
    assert.ok(oracle.rejected.length >= 5, 'the generator wrote bad records');
  });
  after(() => tmp?.cleanup());

  test('bad records go to _rejected with source, line, reason, raw; tables equal the oracle', async () => {
    const out = join(tmp.dir, 'out');
    const res = run(input, out);
    assertRunOk(res, 'lake run');
    const n = oracle.rejected.length;
    assert.match(res.stdout + res.stderr, new RegExp(`\\b${n}\\b[^\\n]*bad|bad[^\\n]*\\b${n}\\b`),
      `the run summary does not count ${n} bad records:\n${res.stdout}${res.stderr}`);
    const lake = await readLakeOutput(out);
    const problems = compareWithOracle(lake, oracle, lake.problems);
    const rej = readRejected(out);
    const key = (source, line) => `${source}:${line}`;
    const got = new Map();
    for (const r of rej.records) {
      for (const f of ['source', 'line', 'reason', 'raw']) {
        if (!(f in r)) problems.push(`_rejected/${r.file}: record without "${f}": ${JSON.stringify(r)}`);
      }
      if (typeof r.reason !== 'string' || !r.reason.trim()) problems.push(`_rejected: empty reason in ${JSON.stringify(r)}`);
      got.set(key(r.source, r.line), r);
    }
    for (const e of oracle.rejected) {
      const r = got.get(key(e.source, e.line));
      if (!r) {
        problems.push(`_rejected: missing ${e.source} line ${e.line} (${e.reason}); lake listed ` +
          JSON.stringify(rej.records.map((x) => [x.source, x.line, x.reason])));
        continue;
      }
      if (typeof r.raw !== 'string' || r.raw.trim() !== e.raw.trim()) {
        problems.push(`_rejected: ${e.source} line ${e.line}: raw ${JSON.stringify(r.raw)}, expected ${JSON.stringify(e.raw)}`);
      }
      got.delete(key(e.source, e.line));
    }
    for (const r of got.values()) problems.push(`_rejected: unexpected record ${JSON.stringify(r)}`);
    report(problems);
  });

  test('--max-bad-records 0 fails and leaves the previous output untouched', async () => {
    const out = join(tmp.dir, 'out-keep');
    assertRunOk(run(clean, out), 'lake run (clean)');
    const before = await snapshotDir(out);
    assert.ok(Object.keys(before).length > 5);
    const r = run(input, out, ['--max-bad-records', '0']);
    assert.notEqual(r.status, 0, 'run with too many bad records must fail');
    assert.equal(r.signal, null, `killed by ${r.signal}`);
    const afterSnap = await snapshotDir(out);
    assert.deepEqual(afterSnap, before, 'previous tables changed by a failed run');
    // And a limit that is high enough lets the run pass.
    const ok = run(input, join(tmp.dir, 'out-limit'), ['--max-bad-records', String(oracle.rejected.length)]);
    assertRunOk(ok, `lake run --max-bad-records ${oracle.rejected.length}`);
  });
});

describe('lake run on plain data (--no-edge-cases)', () => {
  let tmp;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp?.cleanup());

  test('tables equal the oracle', async () => {
    const input = join(tmp.dir, 'in');
    gen(input, { songs: 300, events: 5000, seed: 4, edgeCases: false });
    const oracle = await computeOracle(input);
    await runMatchesOracle(input, join(tmp.dir, 'out'), ['--threads', '2'], oracle);
  });
});

describe('lake run on event logs large enough to be mapped instead of read', () => {
  let tmp;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp?.cleanup());

  test('one multi-MiB log object (parsed in place from the page cache) gives the oracle tables', async () => {
    const input = join(tmp.dir, 'in');
    gen(input, { songs: 200, events: 8000, seed: 21, edgeCases: false });
    const logs = join(input, 'log_data');
    const files = readdirSync(logs, { recursive: true })
      .filter((f) => f.endsWith('.json'))
      .sort();
    const merged = files.map((f) => readFileSync(join(logs, f), 'utf8')).join('');
    for (const f of files) rmSync(join(logs, f));
    writeFileSync(join(logs, 'all-events.json'), merged);
    // lake maps objects of 1 MiB and more (LAKE_VIEW_MIN_BYTES); smaller ones are read.
    assert.ok(statSync(join(logs, 'all-events.json')).size >= 1 << 20, 'merged log must be >= 1 MiB');
    const oracle = await computeOracle(input);
    await runMatchesOracle(input, join(tmp.dir, 'out'), ['--threads', '2'], oracle);
  });
});

describe('lake run on event logs out of time order', () => {
  let tmp;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp?.cleanup());

  // The time table's keys are merged from the ascending runs of each worker's timestamps; a
  // worker with more runs than its share sorts its vector instead (src/jobs/sparkify/facts.c; the merge
  // itself is unit-tested in tests/unit/test_time_source.c). Here the events are re-cut into
  // 100 logs in time order, so they make two read batches of at most 64 objects. The second
  // batch holds gzipped logs and is read first; log 10 is reversed (a run per event), and the
  // last log repeats 40 events of the first. With 2 threads one worker merges its runs and the
  // other sorts; with 1 and 3 threads other mixes. All must give the oracle's tables.
  test('100 logs, gzipped ones read first, one reversed, repeats: oracle tables on 1-3 threads', async () => {
    const input = join(tmp.dir, 'in');
    gen(input, { songs: 200, events: 6000, seed: 33, edgeCases: false });
    const logs = join(input, 'log_data');
    const files = readdirSync(logs, { recursive: true }).filter((f) => /\.json(\.gz)?$/.test(f)).sort();
    const lines = files.flatMap((f) => {
      const bytes = readFileSync(join(logs, f));
      return (f.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l.length);
    });
    lines.sort((a, b) => JSON.parse(a).ts - JSON.parse(b).ts);
    rmSync(logs, { recursive: true });
    mkdirSync(logs);
    const per = Math.ceil(lines.length / 100);
    for (let i = 0; i < 100; i++) {
      let part = lines.slice(i * per, (i + 1) * per);
      if (i === 10) part = part.reverse();
      if (i === 99) part = part.concat(lines.slice(0, 40));
      const text = part.join('\n') + '\n';
      const name = join(logs, `part-${String(i).padStart(3, '0')}.json`);
      if (i >= 70 && i % 3 === 0) writeFileSync(`${name}.gz`, gzipSync(text));
      else writeFileSync(name, text);
    }
    const oracle = await computeOracle(input);
    for (const n of [1, 2, 3]) {
      const tag = `--threads ${n}: `;
      await runMatchesOracle(input, join(tmp.dir, `out${n}`), ['--threads', String(n)], oracle, { tag });
    }
  });
});

describe('unreadable input', () => {
  let tmp;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp?.cleanup());

  test('a corrupt .gz object fails the run with a message naming it', () => {
    const input = join(tmp.dir, 'in');
    gen(input, { songs: 50, events: 500, seed: 9, edgeCases: false });
    const key = 'log_data/2018/11/2018-11-05-events.json.gz';
    mkdirSync(join(input, 'log_data/2018/11'), { recursive: true });
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    writeFileSync(join(input, key), bytes);
    const out = join(tmp.dir, 'out');
    const r = run(input, out);
    assert.notEqual(r.status, 0, 'run over a corrupt .gz must fail');
    assert.match(r.stderr + r.stdout, /2018-11-05-events\.json\.gz/, `message does not name the object:\n${r.stderr}`);
    for (const t of Object.keys(TABLES)) {
      let entries = [];
      try {
        entries = readdirSync(join(out, t));
      } catch {}
      assert.ok(!entries.includes('_SUCCESS'), `${t}/_SUCCESS written by a failed run`);
    }
  });
});

describe('lake gen', () => {
  let tmp;
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp?.cleanup());

  test('same options give byte-identical output; another seed differs', async () => {
    const dirs = ['a', 'b', 'c'].map((d) => join(tmp.dir, d));
    gen(dirs[0], { songs: 300, events: 3000, seed: 21, badRecords: true });
    gen(dirs[1], { songs: 300, events: 3000, seed: 21, badRecords: true });
    gen(dirs[2], { songs: 300, events: 3000, seed: 22, badRecords: true });
    const [a, b, c] = await Promise.all(dirs.map((d) => snapshotDir(d)));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('layout like the Sparkify data', () => {
    const dir = join(tmp.dir, 'a');
    const songs = datasetKeys(dir, 'song_data');
    const logs = datasetKeys(dir, 'log_data');
    for (const k of songs) {
      assert.match(k, /^song_data\/([A-Z])\/([A-Z])\/([A-Z])\/TR\1\2\3[A-Z0-9]{13}\.json(\.gz|\.zst)?$/);
    }
    assert.ok(logs.includes('log_data/2018/11/2018-11-12-events.json'));
    assert.ok(logs.some((k) => k.endsWith('.json.gz')) && logs.some((k) => k.endsWith('.json.zst')));
    assert.ok(songs.some((k) => k.endsWith('.json.gz')) && songs.some((k) => k.endsWith('.json.zst')));
  });
});
