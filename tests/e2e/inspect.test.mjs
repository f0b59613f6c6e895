// `lake inspect`: its --json report agrees with DuckDB's parquet_metadata() and parquet_schema()
// on the files `lake run` writes (every codec), a table directory gives one document with totals,
// and damaged files (truncated, corrupted footer length, flipped bytes) give exit 1 with a one-line
// message naming the file — never a crash (run this suite under ASan via make asan-test).
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gen, lake, lakeOk, run, tempDir } from './lib/lake.mjs';

const CODECS = [
  ['snappy', 'SNAPPY'],
  ['zstd', 'ZSTD'],
  ['gzip', 'GZIP'],
  ['lz4_raw', 'LZ4_RAW'],
  ['none', 'UNCOMPRESSED'],
];
const TABLES = ['songs', 'artists', 'users', 'time', 'songplays'];

let tmp;
let conn;
const outputs = {}; // codec -> output dir

function parquetFiles(dir) {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('_') || e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) found.push(p);
    }
  };
  walk(dir);
  // lake lists keys in byte-wise order; compare relative paths the same way
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function inspectJson(path) {
  const r = lakeOk(['inspect', '--json', path]);
  return JSON.parse(r.stdout);
}

async function rows(sql) {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

const sqlStr = (s) => `'${s.replaceAll("'", "''")}'`;

// DuckDB prints TIMESTAMP WITH TIME ZONE stats as "2019-01-01 00:00:00.007+00".
function duckTimestampMicros(s) {
  const m = /^(-?\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:\+00)?$/.exec(s);
  assert.ok(m, `unexpected DuckDB timestamp text ${s}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]),
    Number(m[6]));
  const frac = (m[7] || '').padEnd(6, '0').slice(0, 6);
  return BigInt(ms) * 1000n + BigInt(frac);
}

// Compares one statistics bound of ours (value, raw) with DuckDB's text.
function sameStat(ours, raw, duck, chunk, what) {
  const ctx = `${chunk.path} ${what}`;
  if (duck === null || duck === undefined) {
    // DuckDB leaves out infinite bounds; otherwise both must be absent
    if (ours === 'Infinity' || ours === '-Infinity') return;
    assert.equal(ours, undefined, `${ctx}: DuckDB has no value, lake has ${ours}`);
    return;
  }
  assert.notEqual(ours, undefined, `${ctx}: lake has no value, DuckDB has ${duck}`);
  if (chunk.logical_type && chunk.logical_type.startsWith('TIMESTAMP')) {
    assert.equal(BigInt(raw), duckTimestampMicros(duck), ctx);
    assert.match(ours, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, ctx);
  } else if (chunk.physical_type === 'BYTE_ARRAY') {
    assert.equal(ours, duck, ctx);
  } else {
    assert.equal(typeof ours, 'number', ctx);
    assert.equal(ours, Number(duck), ctx);
  }
}

// DuckDB's logical_type is Thrift's debug print, e.g.
// "TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))".
function duckLogical(s) {
  if (s === null) return null;
  if (s === 'StringType()') return 'STRING';
  const ts = /^TimestampType\(isAdjustedToUTC=([01]), unit=TimeUnit\((.*)\)\)$/.exec(s);
  if (ts) {
    const unit = /MILLIS=MilliSeconds/.test(ts[2]) ? 'MILLIS'
      : /MICROS=MicroSeconds/.test(ts[2]) ? 'MICROS' : 'NANOS';
    return `TIMESTAMP(isAdjustedToUTC=${ts[1] === '1'}, unit=${unit})`;
  }
  if (s === 'DateType()') return 'DATE';
  throw new Error(`DuckDB logical type not mapped in this test: ${s}`);
}

async function compareWithDuckDB(path) {
  const doc = inspectJson(path);
  assert.equal(doc.files.length, 1);
  const f = doc.files[0];
  assert.equal(f.path, path);
  assert.equal(f.file_size, statSync(path).size);

  const meta = await rows(
    `SELECT * FROM parquet_metadata(${sqlStr(path)}) ORDER BY row_group_id, column_id`);
  const chunks = f.row_groups.flatMap((rg, g) => rg.columns.map((c, i) => ({ rg, g, i, c })));
  assert.equal(chunks.length, meta.length, 'number of column chunks');
  for (const [k, d] of meta.entries()) {
    const { rg, g, i, c } = chunks[k];
    const ctx = `${path} row group ${g} column ${i}`;
    assert.equal(Number(d.row_group_id), g, ctx);
    assert.equal(Number(d.column_id), i, ctx);
    assert.equal(Number(d.row_group_num_rows), rg.num_rows, ctx);
    assert.equal(Number(d.row_group_bytes), rg.total_byte_size, ctx);
    assert.equal(d.path_in_schema, c.path_in_schema.join(', '), ctx);
    assert.equal(d.type, c.physical_type, ctx);
    assert.equal(d.compression, c.codec, ctx);
    assert.deepEqual(d.encodings.split(', '), c.encodings, ctx);
    assert.equal(Number(d.num_values), c.num_values, ctx);
    assert.equal(Number(d.total_compressed_size), c.compressed_size, ctx);
    assert.equal(Number(d.total_uncompressed_size), c.uncompressed_size, ctx);
    assert.equal(Number(d.data_page_offset), c.data_page_offset, ctx);
    assert.equal(d.dictionary_page_offset === null ? null : Number(d.dictionary_page_offset),
      c.dictionary_page_offset, ctx);
    const st = c.statistics;
    assert.ok(st, `${ctx}: no statistics`);
    assert.equal(d.stats_null_count === null ? null : Number(d.stats_null_count), st.null_count,
      ctx);
    sameStat(st.min, st.min_raw, d.stats_min_value, c, 'min_value');
    sameStat(st.max, st.max_raw, d.stats_max_value, c, 'max_value');
    sameStat(st.legacy_min, st.legacy_min_raw, d.stats_min, c, 'legacy min');
    sameStat(st.legacy_max, st.legacy_max_raw, d.stats_max, c, 'legacy max');
    if (d.min_is_exact !== null) assert.equal(st.min_exact, d.min_is_exact, ctx);
    if (d.max_is_exact !== null) assert.equal(st.max_exact, d.max_is_exact, ctx);
    // the page walk agrees with the footer on the dictionary
    assert.equal(c.dictionary !== null, c.dictionary_page_offset !== null, ctx);
    assert.ok(c.pages.data_pages >= 1, ctx);
  }

  const schema = await rows(`SELECT * FROM parquet_schema(${sqlStr(path)})`);
  assert.equal(schema.length, f.schema.length, 'schema elements');
  for (const [k, d] of schema.entries()) {
    const e = f.schema[k];
    const ctx = `${path} schema element ${k}`;
    assert.equal(d.name, e.name, ctx);
    assert.equal(d.type, e.physical_type, ctx);
    assert.equal(d.repetition_type, e.repetition, ctx);
    assert.equal(d.num_children === null ? null : Number(d.num_children), e.num_children, ctx);
    assert.equal(d.converted_type, e.converted_type, ctx);
    assert.equal(duckLogical(d.logical_type), e.logical_type, ctx);
  }
  return doc;
}

before(async () => {
  tmp = tempDir('lake-inspect-');
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  const input = join(tmp.dir, 'in');
  gen(input, { songs: 150, events: 2500, seed: 7 });
  for (const [codec] of CODECS) {
    const out = join(tmp.dir, `out-${codec}`);
    const r = run(input, out, ['-c', codec, '-q']);
    assert.equal(r.status, 0, `lake run -c ${codec}: ${r.stderr}`);
    outputs[codec] = out;
  }
});
after(() => tmp.cleanup());

describe('lake inspect --json agrees with DuckDB', () => {
  for (const [codec, name] of CODECS) {
    test(`${codec}: first and last file of every table`, async () => {
      for (const table of TABLES) {
        const files = parquetFiles(join(outputs[codec], table));
        assert.ok(files.length > 0, `${table}: no files`);
        const pick = [...new Set([files[0], files[files.length - 1]])];
        for (const p of pick) {
          const doc = await compareWithDuckDB(p);
          for (const rg of doc.files[0].row_groups)
            for (const c of rg.columns) assert.equal(c.codec, name);
        }
      }
    });
  }
});

describe('lake inspect on a table directory', () => {
  test('one document, every file in sorted order, totals that match DuckDB', async () => {
    const dir = join(outputs.snappy, 'songs');
    const files = parquetFiles(dir);
    const doc = inspectJson(dir);
    assert.deepEqual(doc.files.map((f) => relative(dir, f.path)), files.map((f) => relative(dir, f)));
    assert.equal(doc.totals.files, files.length);
    const [{ n }] = await rows(
      `SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlStr(dir + '/**/*.parquet')})`);
    assert.equal(doc.totals.rows, Number(n));
    assert.equal(doc.totals.rows, doc.files.reduce((s, f) => s + f.num_rows, 0));
    assert.equal(doc.totals.file_size, files.reduce((s, f) => s + statSync(f).size, 0));
  });

  test('the whole output: every table, _rejected and _SUCCESS ignored', () => {
    const doc = inspectJson(outputs.zstd);
    assert.equal(doc.totals.files, parquetFiles(outputs.zstd).length);
  });

  test('the readable report names columns, codecs and types', () => {
    const file = parquetFiles(join(outputs.snappy, 'songplays'))[0];
    const r = lakeOk(['inspect', file]);
    for (const word of ['songplay_id', 'start_time', 'SNAPPY', 'TIMESTAMP(isAdjustedToUTC=true, unit=MICROS)',
      'BYTE_ARRAY', 'row group 0']) {
      assert.ok(r.stdout.includes(word), `report lacks ${word}:\n${r.stdout}`);
    }
    const d = lakeOk(['inspect', join(outputs.snappy, 'users')]);
    assert.match(d.stdout, /total: \d+ files?, \d+ rows/);
  });

  test('usage errors exit 2, a missing path exits 1', () => {
    assert.equal(lake(['inspect']).status, 2);
    assert.equal(lake(['inspect', '--bogus', 'x']).status, 2);
    const r = lake(['inspect', join(tmp.dir, 'nope.parquet')]);
    assert.equal(r.status, 1);
    assert.ok(r.stderr.includes('nope.parquet'), r.stderr);
  });
});

describe('lake inspect refuses damaged files with a clear message', () => {
  let good;
  let bytes;
  let doc;
  before(() => {
    good = parquetFiles(join(outputs.none, 'songplays'))[0];
    bytes = readFileSync(good);
    doc = inspectJson(good).files[0];
  });

  // Writes the damaged copy, runs inspect (text and --json), checks exit 1 + one line naming it.
  function expectError(name, data, pattern) {
    const p = join(tmp.dir, name);
    writeFileSync(p, data);
    for (const args of [['inspect', p], ['inspect', '--json', p]]) {
      const r = lake(args);
      assert.equal(r.signal, null, `${name}: killed by ${r.signal}\n${r.stderr}`);
      assert.equal(r.status, 1, `${name}: exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', `${name}: output despite the error`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
      assert.ok(lines[0].startsWith(`lake inspect: ${p}: `), lines[0]);
      if (pattern) assert.match(lines[0], pattern);
    }
  }

  test('truncated files', () => {
    for (const n of [0, 3, 11, 12, bytes.length >> 1, bytes.length - 9, bytes.length - 1]) {
      expectError(`trunc-${n}.parquet`, bytes.subarray(0, n));
    }
    expectError('trunc-half.parquet', bytes.subarray(0, bytes.length >> 1), /magic|footer/);
  });

  test('corrupted footer length', () => {
    const big = Buffer.from(bytes);
    big.writeUInt32LE(123456, big.length - 8);
    expectError('footer-len-big.parquet', big,
      new RegExp(`footer length 123456 exceeds file size ${bytes.length}`));
    const small = Buffer.from(bytes);
    small.writeUInt32LE(small.readUInt32LE(small.length - 8) - 1, small.length - 8);
    expectError('footer-len-small.parquet', small, /footer/);
  });

  test('flipped bytes in the magic, the footer structure and the page data', () => {
    const magic = Buffer.from(bytes);
    magic[magic.length - 1] ^= 0x01;
    expectError('flip-magic.parquet', magic, /magic/);

    const footerStart = doc.file_size - 8 - doc.footer_length;
    const head = Buffer.from(bytes);
    head[footerStart] ^= 0xff; // the first field header of FileMetaData
    expectError('flip-footer-head.parquet', head, /footer/);

    // page data: the last byte of a column chunk lies in its last page's body (CRC-protected)
    const c = doc.row_groups[0].columns[0];
    assert.ok(c.pages.crc_checked > 0, 'lake writes page CRCs');
    const start = c.dictionary_page_offset ?? c.data_page_offset;
    const body = Buffer.from(bytes);
    body[start + c.compressed_size - 1] ^= 0x20;
    expectError('flip-page.parquet', body, /CRC mismatch/);
  });

  test('random byte flips in the footer: exit 0 or a clear error, never a crash', () => {
    const footerStart = doc.file_size - 8 - doc.footer_length;
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    let caught = 0;
    const N = 40;
    for (let k = 0; k < N; k++) {
      const b = Buffer.from(bytes);
      const pos = footerStart + (rnd() % doc.footer_length);
      b[pos] ^= 1 + (rnd() % 255);
      const p = join(tmp.dir, `flip-${k}.parquet`);
      writeFileSync(p, b);
      const r = lake(['inspect', '--json', p]);
      assert.equal(r.signal, null, `flip at ${pos}: killed by ${r.signal}\n${r.stderr}`);
      assert.ok(r.status === 0 || r.status === 1, `flip at ${pos}: exit ${r.status}\n${r.stderr}`);
      if (r.status === 1) {
        caught++;
        assert.ok(r.stderr.startsWith(`lake inspect: ${p}: `), r.stderr);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      } else {
        JSON.parse(r.stdout); // still a well-formed document
      }
    }
    // A flip inside a string (names, string statistics, created_by, Spark's schema JSON, about
    // half of this footer) or an unchecked number changes a value undetectably; a flip in the
    // structure is caught.
    assert.ok(caught >= N / 4, `only ${caught} of ${N} footer flips detected`);
  });

  test('a directory with one damaged file fails naming that file', () => {
    const dir = join(tmp.dir, 'table');
    const files = parquetFiles(join(outputs.none, 'users'));
    lakeOk(['inspect', join(outputs.none, 'users')]);
    // copy the table, then damage one file
    const rel = files.map((f) => relative(join(outputs.none, 'users'), f));
    mkdirSync(dir, { recursive: true });
    for (const [k, f] of files.entries()) {
      const dst = join(dir, `part-${String(k).padStart(3, '0')}.parquet`);
      copyFileSync(f, dst);
    }
    assert.ok(rel.length >= 1);
    const victim = join(dir, 'part-000.parquet');
    const b = readFileSync(victim);
    writeFileSync(victim, b.subarray(0, b.length - 5));
    const r = lake(['inspect', '--json', dir]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.includes(victim), r.stderr);
  });
});
