// `lake run --summary-json FILE`: the document validated against docs/summary.schema.json (by the
// small validator below) and its figures checked against independent facts: DuckDB's rows of the
// Parquet files, the files and bytes on disk, the lines of _rejected/, the input's objects.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { datasetKeys } from './lib/input.mjs';
import { readLakeOutput, readRejected } from './lib/output.mjs';
import { gen, run, tempDir } from './lib/lake.mjs';
import { assertValid } from './lib/summary_schema.mjs';

const TABLE_NAMES = ['songs', 'artists', 'users', 'time', 'songplays'];
const STAGES = ['list', 'songs', 'events', 'transform', 'write', 'commit', 'cleanup'];

const readJson = (f) => JSON.parse(readFileSync(f, 'utf8'));

// Files under dir (relative paths), recursively.
function walk(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

// The facts of one table from disk and DuckDB: per partition directory rows, bytes and files.
function partitionsOf(outDir, table, lakeTable) {
  const parts = new Map();
  for (const f of lakeTable.files) {
    const p = parts.get(f.dir) ?? { dir: f.dir, rows: 0, bytes: 0, files: 0 };
    p.rows += f.fileRows.length;
    p.bytes += statSync(join(outDir, table, f.rel)).size;
    p.files += 1;
    parts.set(f.dir, p);
  }
  return [...parts.values()];
}

// The size class of a partition of n rows (docs/summary-json.md): 0, 1, 2-3, 4-7, ...
const sizeClass = (n) => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1);

describe('lake run --summary-json', () => {
  let tmp, input, out, file, doc, lakeOut, stdout, startedBefore, endedAfter;
  before(async () => {
    tmp = tempDir('lake-summary-');
    input = join(tmp.dir, 'in');
    out = join(tmp.dir, 'out');
    file = join(tmp.dir, 'summary.json');
    gen(input, { songs: 150, events: 3000, badRecords: true });
    startedBefore = Date.now();
    const r = run(input, out, ['--threads', '2', '--summary-json', file]);
    endedAfter = Date.now();
    assert.equal(r.status, 0, r.stderr);
    stdout = r.stdout;
    doc = readJson(file);
    lakeOut = await readLakeOutput(out);
    assert.deepEqual(lakeOut.problems, []);
  });
  after(() => tmp?.cleanup());

  test('matches the documented schema and says the run succeeded', () => {
    assertValid(doc);
    assert.equal(doc.status, 'succeeded');
    assert.equal(doc.error, null);
    assert.deepEqual([...lakeOut.uuids], [doc.run_id], 'run_id is the uuid in the file names');
    assert.match(doc.lake_version, /^lake version \d+\.\d+\.\d+/);
    assert.equal(doc.options.input, input);
    assert.equal(doc.options.output, out);
    assert.equal(doc.options.threads, 2);
    assert.equal(doc.options.max_rows_per_file, 0);
    assert.equal(doc.options.mode, 'overwrite');
    assert.equal(doc.options.compression, 'snappy');
  });

  test('rows, files, bytes and partitions are those on disk', () => {
    let written = 0;
    for (const table of TABLE_NAMES) {
      const got = doc.tables[table];
      const parts = partitionsOf(out, table, lakeOut.tables[table]);
      const onDisk = walk(join(out, table)).filter((f) => f.endsWith('.parquet'));
      const bytes = onDisk.reduce((n, f) => n + statSync(join(out, table, f)).size, 0);
      assert.equal(got.rows, lakeOut.tables[table].rows.length, `${table} rows (DuckDB)`);
      assert.equal(got.files, onDisk.length, `${table} files`);
      assert.equal(got.bytes, bytes, `${table} bytes`);
      assert.equal(got.partitions, parts.length, `${table} partitions`);
      const rows = parts.map((p) => p.rows);
      assert.equal(got.largest_partition.rows, Math.max(...rows), `${table} largest`);
      assert.equal(got.smallest_partition.rows, Math.min(...rows), `${table} smallest`);
      for (const p of [got.largest_partition, got.smallest_partition])
        assert.deepEqual(p, parts.find((q) => q.dir === p.dir), `${table} partition ${p.dir}`);
      written += bytes;
    }
    assert.ok(doc.tables.songs.partitions > 10, 'the data has many partitions');
    assert.equal(doc.bytes_written, written);
  });

  test('the partition-size histogram counts the partitions on disk by size class', () => {
    for (const table of TABLE_NAMES) {
      const parts = partitionsOf(out, table, lakeOut.tables[table]);
      const want = new Map();
      for (const p of parts) want.set(sizeClass(p.rows), (want.get(sizeClass(p.rows)) ?? 0) + 1);
      const hist = doc.tables[table].partition_rows_histogram;
      const lo = Math.min(...want.keys());
      const hi = Math.max(...want.keys());
      assert.equal(hist.length, hi - lo + 1, `${table}: classes from the smallest to the largest used`);
      hist.forEach((b, i) => {
        const k = lo + i;
        assert.equal(b.min_rows, k === 0 ? 0 : 2 ** (k - 1), `${table} class ${k} min`);
        assert.equal(b.max_rows, k === 0 ? 0 : 2 ** k - 1, `${table} class ${k} max`);
        assert.equal(b.partitions, want.get(k) ?? 0, `${table}: partitions of ${b.min_rows}-${b.max_rows} rows`);
      });
      assert.equal(hist.reduce((n, b) => n + b.partitions, 0), doc.tables[table].partitions);
    }
    assert.ok(doc.tables.time.partition_rows_histogram.length > 3, 'time partitions of several sizes');
  });

  test('first bad records and the first of each reason are those of _rejected/', () => {
    const { records } = readRejected(out);
    const ex = records.slice(0, 10).map((r) => ({ object: r.source, line: r.line, reason: r.reason }));
    assert.deepEqual(doc.rejects.examples, ex);
    for (const r of doc.rejects.by_reason) {
      const first = records.find((x) => x.reason === r.reason);
      assert.deepEqual(r.first, { object: first.source, line: first.line }, r.reason);
    }
  });

  test('compressed share and environment', () => {
    const keys = [...datasetKeys(input, 'song_data'), ...datasetKeys(input, 'log_data')];
    const packed = keys.filter((k) => /\.json\.(gz|zst)$/.test(k));
    assert.ok(packed.length > 0, 'gen writes compressed objects');
    assert.equal(doc.input.compressed_objects, packed.length);
    assert.equal(doc.input.compressed_bytes, packed.reduce((n, k) => n + statSync(join(input, k)).size, 0));
    const env = doc.environment;
    assert.equal(env.host, os.hostname());
    assert.equal(env.os, os.type());
    assert.equal(env.os_release, os.release());
    assert.equal(env.machine, os.machine());
    assert.equal(env.cpus, os.availableParallelism());
    assert.ok(Math.abs(env.memory_bytes - os.totalmem()) <= 1 << 20, `memory ${env.memory_bytes} vs ${os.totalmem()}`);
    const started = Date.parse(env.started_at);
    assert.ok(started >= startedBefore - 1 && started <= endedAfter, `started_at ${env.started_at} within the run`);
  });

  test('rejects per reason are the lines of _rejected/', () => {
    const { records } = readRejected(out);
    const byReason = new Map();
    for (const r of records) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
    assert.ok(records.length > 0, 'gen --bad-records gave bad records');
    assert.equal(doc.rejects.total, records.length);
    assert.equal(doc.rejects.other_reasons, 0);
    assert.deepEqual(new Map(doc.rejects.by_reason.map((r) => [r.reason, r.count])), byReason);
    const counts = doc.rejects.by_reason.map((r) => r.count);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'most frequent first');
  });

  test('input, records and stages agree with the input and the text summary', () => {
    const songKeys = datasetKeys(input, 'song_data');
    const logKeys = datasetKeys(input, 'log_data');
    assert.equal(doc.input.song_objects, songKeys.length);
    assert.equal(doc.input.log_objects, logKeys.length);
    const bytes = [...songKeys, ...logKeys].reduce((n, k) => n + statSync(join(input, k)).size, 0);
    assert.equal(doc.input.bytes, bytes);
    assert.match(stdout, new RegExp(`records: ${doc.records.songs} songs, ${doc.records.events} events ` +
      `\\(${doc.records.nextsong} NextSong\\), ${doc.rejects.total} bad`));
    for (const table of TABLE_NAMES)
      assert.match(stdout, new RegExp(`${table} +${doc.tables[table].rows} rows +${doc.tables[table].files} files`));
    const parts = STAGES.reduce((n, s) => n + doc.stages[s].wall_s, 0);
    assert.ok(parts <= doc.stages.total.wall_s + 1e-3, `stages ${parts} s within total ${doc.stages.total.wall_s} s`);
    assert.ok(doc.stages.total.wall_s > 0 && doc.stages.total.cpu_s > 0);
  });

  test('--max-rows-per-file: a partition of several files counts them all', () => {
    const out2 = join(tmp.dir, 'out-split');
    const file2 = join(tmp.dir, 'split.json');
    const r = run(input, out2, ['--max-rows-per-file', '100', '--summary-json', file2]);
    assert.equal(r.status, 0, r.stderr);
    const split = readJson(file2);
    assertValid(split);
    for (const table of TABLE_NAMES) {
      const got = split.tables[table];
      const onDisk = walk(join(out2, table)).filter((f) => f.endsWith('.parquet'));
      assert.equal(got.rows, doc.tables[table].rows, `${table}: same rows as without the limit`);
      assert.equal(got.partitions, doc.tables[table].partitions, `${table}: same partitions`);
      assert.equal(got.files, onDisk.length, `${table} files`);
      const inDir = (d) => onDisk.filter((f) => f.slice(0, f.lastIndexOf('/') + 1) === (d ? `${d}/` : '')).length;
      assert.equal(got.largest_partition.files, inDir(got.largest_partition.dir), `${table} largest's files`);
      assert.equal(got.largest_partition.files, Math.ceil(got.largest_partition.rows / 100));
      assert.equal(got.smallest_partition.files, inDir(got.smallest_partition.dir), `${table} smallest's files`);
    }
    assert.ok(split.tables.time.largest_partition.files > 1, 'a partition was split');
  });
});

describe('lake run --summary-json on a failing run', () => {
  let tmp, input;
  before(() => {
    tmp = tempDir('lake-summary-fail-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 40, events: 500, badRecords: true });
  });
  after(() => tmp?.cleanup());

  test('an output that is a file: status failed with the message lake printed', () => {
    const outFile = join(tmp.dir, 'not-a-dir');
    writeFileSync(outFile, 'x');
    const file = join(tmp.dir, 'failed.json');
    writeFileSync(file, 'an older summary');
    const r = run(input, outFile, ['--summary-json', file]);
    assert.equal(r.status, 1);
    const doc = readJson(file);
    assertValid(doc);
    assert.equal(doc.status, 'failed');
    assert.equal(`lake run: ${doc.error}\n`, r.stderr);
    assert.match(doc.error, /not-a-dir/);
    assert.equal(doc.tables.songs.rows, 0);
    assert.deepEqual(doc.tables.songs.partition_rows_histogram, []);
    assert.deepEqual(readdirSync(tmp.dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
  });

  test('too many bad records: failed, with the records and rejects counted so far', () => {
    const file = join(tmp.dir, 'bad.json');
    const r = run(input, join(tmp.dir, 'out'), ['--max-bad-records', '0', '--summary-json', file]);
    assert.equal(r.status, 1);
    const doc = readJson(file);
    assertValid(doc);
    assert.equal(doc.status, 'failed');
    assert.equal(`lake run: ${doc.error}\n`, r.stderr);
    assert.ok(doc.records.songs > 0 && doc.rejects.total > 0);
    assert.equal(doc.rejects.by_reason.reduce((n, x) => n + x.count, 0), doc.rejects.total);
    assert.equal(doc.options.max_bad_records, 0);
    assert.equal(existsSync(join(tmp.dir, 'out', 'songs')), false, 'nothing was committed');
  });

  test('a summary that cannot be written fails the run with a message naming it', () => {
    const file = join(tmp.dir, 'no-such-dir', 's.json');
    const r = run(input, join(tmp.dir, 'out2'), ['--summary-json', file, '--quiet']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no-such-dir\/s\.json/);
  });
});
