// Property tests of lake's Parquet writer: random tables written by tests/tools/pq_roundtrip.c
// (PQ_ROUNDTRIP_BIN) and read back by DuckDB and by hyparquet, for every codec. Besides the
// values, checks what the writer promises in docs/parquet.md: statistics, page index bounds that
// cover every page's values, page CRCs, dictionary encoding of low-cardinality strings, Spark's
// schema JSON and a created_by that parquet-java can parse.
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  readOffsetIndex,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

const here = new URL('.', import.meta.url).pathname;
const BIN = [process.env.PQ_ROUNDTRIP_BIN, resolve(here, '../../build/release/pq-roundtrip')]
  .filter(Boolean)
  .find((p) => existsSync(p));
// A missing driver is a failure, never a skip.
if (!BIN) throw new Error('no pq-roundtrip binary: set PQ_ROUNDTRIP_BIN or build build/release/pq-roundtrip');

const CODECS = ['snappy', 'zstd', 'gzip', 'lz4_raw', 'none'];
const LOW_CARD = ['level', 'gender', 'location', 'user_agent'];
// parquet-java's VersionParser pattern for created_by.
const CREATED_BY = /^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$/;

let tmp;
let conn;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lake-pq-'));
  tmp = { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});
after(() => tmp.cleanup());

let fileNo = 0;
function write(args) {
  const n = fileNo++;
  const pq = join(tmp.dir, `t${n}.parquet`);
  const js = join(tmp.dir, `t${n}.json`);
  const r = spawnSync(BIN, [pq, js, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `pq-roundtrip ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { pq, expect: JSON.parse(readFileSync(js, 'utf8')) };
}

/** One canonical, type-exact form for every value from every reader. */
function canon(v, type) {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'int32': return Number(v);
    case 'int64':
    case 'timestamp': return String(v);
    case 'double': {
      if (typeof v === 'string') return v;
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity) return 'Infinity';
      if (v === -Infinity) return '-Infinity';
      if (Object.is(v, -0)) return '-0';
      return v;
    }
    default: return v;
  }
}

function compareRows(what, expect, got, problems) {
  const cols = expect.columns;
  if (got.length !== expect.rows.length) {
    problems.push(`${what}: ${got.length} rows, expected ${expect.rows.length}`);
    return;
  }
  for (let r = 0; r < got.length && problems.length < 10; r++) {
    for (let c = 0; c < cols.length; c++) {
      const want = canon(expect.rows[r][c], cols[c].type);
      const have = canon(got[r][c], cols[c].type);
      if (!Object.is(want, have)) {
        problems.push(`${what}: row ${r} ${cols[c].name}: got ${JSON.stringify(have)}, expected ${JSON.stringify(want)}`);
      }
    }
  }
}

async function readDuck(path, expect) {
  const sel = expect.columns.map((c) => {
    const q = `"${c.name}"`;
    if (c.type === 'int64') return `${q}::VARCHAR`;
    if (c.type === 'timestamp') return `epoch_us(${q})::VARCHAR`;
    return q;
  });
  const reader = await conn.runAndReadAll(`SELECT ${sel.join(', ')} FROM read_parquet('${path}')`);
  return reader.getRowsJS();
}

const PARSERS = {
  timestampFromMicroseconds: (v) => BigInt(v),
  timestampFromMilliseconds: (v) => BigInt(v) * 1000n,
  timestampFromNanoseconds: (v) => BigInt(v) / 1000n,
};

async function readHy(path, expect) {
  const file = await asyncBufferFromFile(path);
  const objs = await parquetReadObjects({ file, compressors, parsers: PARSERS });
  return objs.map((o) => expect.columns.map((c) => o[c.name]));
}

/** Minimal Thrift compact reader: returns {fields, end}; binaries as Buffers, lists as arrays. */
function readStruct(buf, pos) {
  const fields = {};
  let id = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  const zz = () => { const u = varint(); return (u >> 1n) ^ -(u & 1n); };
  const value = (t) => {
    switch (t) {
      case 1: return true;
      case 2: return false;
      case 3: return buf[pos++];
      case 4: case 5: case 6: return Number(zz());
      case 7: pos += 8; return null;
      case 8: { const n = Number(varint()); pos += n; return buf.subarray(pos - n, pos); }
      case 9: case 10: {
        const h = buf[pos++];
        let n = h >> 4;
        if (n === 15) n = Number(varint());
        const out = [];
        for (let i = 0; i < n; i++) {
          if ((h & 15) === 1 || (h & 15) === 2) out.push(buf[pos++] === 1);
          else out.push(value(h & 15));
        }
        return out;
      }
      case 12: { const r = readStruct(buf, pos); pos = r.end; return r.fields; }
      default: throw new Error(`thrift type ${t}`);
    }
  };
  for (;;) {
    const h = buf[pos++];
    if (h === 0) return { fields, end: pos };
    id = h >> 4 ? id + (h >> 4) : Number(zz());
    fields[id] = value(h & 15);
  }
}

/** A PLAIN-encoded bound (no length prefix) in the canonical form of its column type. */
function decodeBound(b, type, physical) {
  if (type === 'string') return b.toString('utf8');
  if (type === 'int32') return b.readInt32LE(0);
  if (type === 'double') return canon(b.readDoubleLE(0), 'double');
  const v = b.readBigInt64LE(0);
  return String(physical === 'millis' ? v * 1000n : v);
}

function typeOf(expect, name) {
  return expect.columns.find((c) => c.name === name).type;
}

function cmp(type, a, b) {
  if (type === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (type === 'int64' || type === 'timestamp') { const x = BigInt(a); const y = BigInt(b); return x < y ? -1 : x > y ? 1 : 0; }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Value for bound comparisons, or undefined for null / NaN. */
function boundValue(v, type) {
  if (v === null) return undefined;
  if (type === 'double') {
    if (v === 'NaN') return undefined;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (v === '-0') return -0;
  }
  return v;
}

async function checkMetadata(what, path, expect, opts, problems) {
  const buf = readFileSync(path);
  const md = await parquetMetadataAsync(await asyncBufferFromFile(path), { parsers: PARSERS });
  if (!CREATED_BY.test(md.created_by || '')) problems.push(`${what}: created_by ${md.created_by}`);
  const kv = (md.key_value_metadata || []).find((k) => k.key === 'org.apache.spark.sql.parquet.row.metadata');
  const sparkType = { int32: 'integer', int64: 'long', double: 'double', string: 'string', timestamp: 'timestamp' };
  const want = { type: 'struct', fields: expect.columns.map((c) => ({ name: c.name, type: sparkType[c.type], nullable: true })) };
  // --spark-metadata: always writes the JSON, never (or --no-spark-metadata) leaves it out, auto
  // (the default) writes it when it is at most 1/20 of the column chunks' compressed bytes.
  const at = opts.indexOf('--spark-metadata');
  const mode = opts.includes('--no-spark-metadata') ? 'never' : at >= 0 ? opts[at + 1] : 'auto';
  const data = md.row_groups.reduce((s, rg) => s + rg.columns.reduce((t, c) => t + Number(c.meta_data.total_compressed_size), 0), 0);
  const present = mode === 'always' || (mode === 'auto' && JSON.stringify(want).length * 20 <= data);
  if (present && (!kv || JSON.stringify(JSON.parse(kv.value)) !== JSON.stringify(want))) problems.push(`${what}: spark schema ${kv && kv.value}`);
  if (!present && kv) problems.push(`${what}: spark schema written in ${mode} mode with ${data} bytes of column data`);
  let rowBase = 0;
  for (const rg of md.row_groups) {
    const nrows = Number(rg.num_rows);
    for (const chunk of rg.columns) {
      const cm = chunk.meta_data;
      const name = cm.path_in_schema[0];
      const type = typeOf(expect, name);
      const ci = expect.columns.findIndex((c) => c.name === name);
      const vals = expect.rows.slice(rowBase, rowBase + nrows).map((r) => r[ci]);
      const nonNull = vals.filter((v) => v !== null).length;
      // Chunk statistics.
      const st = cm.statistics || {};
      if (Number(st.null_count) !== nrows - nonNull) problems.push(`${what}: ${name} null_count ${st.null_count}, expected ${nrows - nonNull}`);
      const isInt96 = cm.type === 'INT96';
      const bounded = vals.map((v) => boundValue(v, type)).filter((v) => v !== undefined);
      let mn = bounded[0];
      let mx = bounded[0];
      for (const v of bounded) { if (cmp(type, v, mn) < 0) mn = v; if (cmp(type, v, mx) > 0) mx = v; }
      const tooLong = type === 'string' && bounded.length && (Buffer.byteLength(mn) > 4096 || Buffer.byteLength(mx) > 4096);
      if (!isInt96 && bounded.length && !tooLong) {
        if (type === 'double') { if (mn === 0) mn = -0; if (mx === 0) mx = 0; }
        const gotMin = canon(st.min_value, type);
        const gotMax = canon(st.max_value, type);
        if (!Object.is(gotMin, canon(mn, type)) || !Object.is(gotMax, canon(mx, type))) {
          problems.push(`${what}: ${name} min/max ${gotMin}/${gotMax}, expected ${canon(mn, type)}/${canon(mx, type)}`);
        }
      } else if (st.min_value !== undefined || st.max_value !== undefined) {
        problems.push(`${what}: ${name} has min/max without bounded values`);
      }
      // Dictionary encoding of low-cardinality strings.
      if (LOW_CARD.includes(name) && nonNull >= 50 && !opts.includes('--no-dictionary')) {
        if (!cm.encodings.includes('RLE_DICTIONARY') || cm.dictionary_page_offset === undefined) {
          problems.push(`${what}: ${name} not dictionary encoded: ${cm.encodings}`);
        }
      }
      // Walk the pages from the chunk's start: dictionary page first, CRC over each body.
      const pageOf = (at) => {
        const hdr = readStruct(buf, at);
        return { at, hdr: hdr.fields, body: buf.subarray(hdr.end, hdr.end + hdr.fields[3]), end: hdr.end + hdr.fields[3] };
      };
      const start = Number(cm.dictionary_page_offset ?? cm.data_page_offset);
      const chunkEnd = start + Number(cm.total_compressed_size);
      const pages = [];
      for (let pos = start; pos < chunkEnd;) {
        const p = pageOf(pos);
        if (opts.includes('--no-crc')) {
          if (p.hdr[4] !== undefined) problems.push(`${what}: ${name} page at ${pos} has a CRC`);
        } else if ((p.hdr[4] | 0) !== (crc32(p.body) | 0)) {
          problems.push(`${what}: ${name} page at ${pos}: CRC ${p.hdr[4]} != ${crc32(p.body) | 0}`);
        }
        pages.push(p);
        pos = p.end;
        if (pos > chunkEnd) problems.push(`${what}: ${name} pages run past the chunk`);
      }
      if (cm.dictionary_page_offset !== undefined && pages[0].hdr[1] !== 2) problems.push(`${what}: ${name} no dictionary page first`);
      const dataPages = pages.filter((p) => p.hdr[1] === 0);
      if (Number(cm.data_page_offset) !== dataPages[0].at) problems.push(`${what}: ${name} data_page_offset`);
      const pageStarts = [0];
      for (const p of dataPages) pageStarts.push(pageStarts[pageStarts.length - 1] + p.hdr[5][1]);
      if (pageStarts[pageStarts.length - 1] !== nrows) problems.push(`${what}: ${name} pages hold ${pageStarts[pageStarts.length - 1]} values, expected ${nrows}`);
      if (nrows > 20000 && dataPages.length < 2) problems.push(`${what}: ${name} ${nrows} rows in one page`);
      // Page index: for chunks of several pages (one page would repeat the chunk statistics).
      const wantIndex = !opts.includes('--no-page-index') && dataPages.length > 1;
      if (!wantIndex) {
        if (chunk.offset_index_offset !== undefined || chunk.column_index_offset !== undefined) problems.push(`${what}: ${name} has a page index`);
        continue;
      }
      if (chunk.offset_index_offset === undefined) { problems.push(`${what}: ${name} has no offset index`); continue; }
      const oiOff = Number(chunk.offset_index_offset);
      const oi = readOffsetIndex({ view: new DataView(buf.buffer, buf.byteOffset + oiOff, chunk.offset_index_length), offset: 0 });
      const locs = oi.page_locations;
      if (locs.length !== dataPages.length) problems.push(`${what}: ${name} offset index has ${locs.length} pages, chunk ${dataPages.length}`);
      for (let i = 0; i < locs.length && i < dataPages.length; i++) {
        const p = dataPages[i];
        if (Number(locs[i].offset) !== p.at || locs[i].compressed_page_size !== p.end - p.at || Number(locs[i].first_row_index) !== pageStarts[i]) {
          problems.push(`${what}: ${name} offset index page ${i}: ${JSON.stringify(locs[i], (k, v) => typeof v === 'bigint' ? String(v) : v)}`);
        }
      }
      // Column index: bounds cover every page's values; none for INT96.
      if (chunk.column_index_offset === undefined) {
        const allNanPage = type === 'double' && pageStarts.slice(0, -1).some((s, i) => {
          const pv = vals.slice(s, pageStarts[i + 1]).filter((v) => v !== null);
          return pv.length && pv.every((v) => v === 'NaN');
        });
        if (!isInt96 && !allNanPage) problems.push(`${what}: ${name} has no column index`);
        continue;
      }
      if (isInt96) problems.push(`${what}: ${name} INT96 has a column index`);
      // hyparquet's readColumnIndex cannot decode the empty bounds of null pages, hence our own.
      const ciOff = Number(chunk.column_index_offset);
      const cix = readStruct(buf.subarray(0, ciOff + chunk.column_index_length), ciOff).fields;
      const millis = opts.includes('millis') && type === 'timestamp' ? 'millis' : '';
      const order = cix[4];
      for (let i = 0; i < locs.length; i++) {
        const pv = vals.slice(pageStarts[i], pageStarts[i + 1]);
        const nulls = pv.filter((v) => v === null).length;
        if (Number(cix[5][i]) !== nulls) problems.push(`${what}: ${name} page ${i} null_count`);
        if (cix[1][i] !== (nulls === pv.length)) problems.push(`${what}: ${name} page ${i} null_page`);
        if (cix[1][i]) continue;
        const lo = decodeBound(cix[2][i], type, millis);
        const hi = decodeBound(cix[3][i], type, millis);
        if (type === 'string' && (cix[2][i].length > 64 || cix[3][i].length > 64)) problems.push(`${what}: ${name} page ${i} bound not truncated`);
        const b = (x) => (type === 'double' ? boundValue(x, type) : x);
        for (const v of pv.map((x) => boundValue(x, type)).filter((x) => x !== undefined)) {
          if (cmp(type, v, b(lo)) < 0 || cmp(type, v, b(hi)) > 0) {
            problems.push(`${what}: ${name} page ${i} value ${JSON.stringify(v)} outside [${JSON.stringify(lo)}, ${JSON.stringify(hi)}]`);
            break;
          }
        }
        if (i > 0 && !cix[1][i - 1] && order !== 0) {
          const plo = decodeBound(cix[2][i - 1], type, millis);
          const phi = decodeBound(cix[3][i - 1], type, millis);
          const c1 = cmp(type, b(plo), b(lo));
          const c2 = cmp(type, b(phi), b(hi));
          if ((order === 1 && (c1 > 0 || c2 > 0)) || (order === 2 && (c1 < 0 || c2 < 0))) {
            problems.push(`${what}: ${name} boundary_order ${order} broken at page ${i}`);
          }
        }
      }
    }
    rowBase += nrows;
  }
  return md;
}

async function roundTrip(args) {
  const { pq, expect } = write(args);
  const problems = [];
  compareRows('duckdb', expect, await readDuck(pq, expect), problems);
  compareRows('hyparquet', expect, await readHy(pq, expect), problems);
  const md = await checkMetadata('metadata', pq, expect, args, problems);
  if (problems.length) assert.fail(`pq-roundtrip ${args.join(' ')}:\n${problems.slice(0, 15).join('\n')}`);
  return md;
}

const CASES = [
  { name: 'zero rows', args: ['--rows', '0'] },
  { name: 'one row', args: ['--rows', '1', '--seed', '2'] },
  { name: 'a few rows, shuffled', args: ['--rows', '9', '--seed', '3', '--shuffle'] },
  { name: 'several seeds of 500 rows', seeds: [4, 5, 6, 7, 8], args: ['--rows', '500'] },
  { name: 'more rows than a page', args: ['--rows', '23000', '--seed', '9'] },
  {
    name: 'several row groups and pages, shuffled',
    args: ['--rows', '12000', '--seed', '10', '--row-group-bytes', '300k', '--page-rows', '1000', '--shuffle'],
  },
];

for (const codec of CODECS) {
  describe(`pq_write_table with ${codec}`, () => {
    for (const c of CASES) {
      test(c.name, async () => {
        for (const seed of c.seeds || [null]) {
          const args = [...c.args, '--codec', codec];
          if (seed !== null) args.push('--seed', String(seed));
          await roundTrip(args);
        }
      });
    }
  });
}

describe('pq_write_table options', () => {
  test('several row groups really are written', async () => {
    const md = await roundTrip(['--rows', '6000', '--seed', '12', '--row-group-bytes', '100k']);
    assert.ok(md.row_groups.length >= 3, `${md.row_groups.length} row groups`);
  });
  test('timestamp millis: INT64 TIMESTAMP(MILLIS), values floored', async () => {
    const md = await roundTrip(['--rows', '3000', '--seed', '13', '--timestamp-type', 'millis']);
    const el = md.schema.find((s) => s.name === 'ts');
    assert.equal(el.type, 'INT64');
    assert.equal(el.logical_type.type, 'TIMESTAMP');
    assert.equal(el.logical_type.unit, 'MILLIS');
    assert.equal(el.logical_type.isAdjustedToUTC, true);
  });
  test('timestamp int96: Impala layout, no logical type, no bounds', async () => {
    const md = await roundTrip(['--rows', '3000', '--seed', '14', '--timestamp-type', 'int96']);
    const el = md.schema.find((s) => s.name === 'ts');
    assert.equal(el.type, 'INT96');
    assert.equal(el.logical_type, undefined);
    assert.equal(el.converted_type, undefined);
  });
  test('every feature off', async () => {
    await roundTrip(['--rows', '23000', '--seed', '15', '--no-dictionary', '--no-delta', '--no-page-index', '--no-crc', '--no-spark-metadata']);
  });
  test('Spark schema JSON: auto leaves it out of a one-row file and keeps it in a large one; always and never', async () => {
    const key = 'org.apache.spark.sql.parquet.row.metadata';
    const has = (md) => (md.key_value_metadata || []).some((k) => k.key === key);
    assert.equal(has(await roundTrip(['--rows', '1', '--seed', '17'])), false, 'auto, one row');
    assert.equal(has(await roundTrip(['--rows', '5000', '--seed', '17'])), true, 'auto, 5000 rows');
    assert.equal(has(await roundTrip(['--rows', '1', '--seed', '17', '--spark-metadata', 'always'])), true, 'always');
    assert.equal(has(await roundTrip(['--rows', '5000', '--seed', '17', '--spark-metadata', 'never'])), false, 'never');
  });
  test('row groups written in slices (pq_stream_append) are the whole file, bytes and all', async () => {
    // pq-roundtrip fails unless the sliced file equals pq_write_table's.
    await roundTrip(['--rows', '12000', '--seed', '10', '--row-group-bytes', '300k', '--page-rows', '1000', '--shuffle', '--slices', '333']);
    await roundTrip(['--rows', '23000', '--seed', '9', '--slices', '1']);
  });
  for (const codec of ['snappy', 'none']) {
    test(`a dictionary that overflows mid-chunk across slices falls back to PLAIN (${codec})`, async () => {
      const md = await roundTrip(['--rows', '70000', '--seed', '18', '--drift', '--slices', '777', '--codec', codec]);
      assert.equal(md.row_groups.length, 1);
      const chunk = md.row_groups[0].columns.find((c) => c.meta_data.path_in_schema.join('.') === 'drift');
      const stats = chunk.meta_data.encoding_stats.map((e) => `${e.page_type}/${e.encoding}/${e.count}`);
      const pages = (enc) => chunk.meta_data.encoding_stats
        .filter((e) => e.page_type === 'DATA_PAGE' && e.encoding === enc)
        .reduce((n, e) => n + Number(e.count), 0);
      assert.ok(chunk.meta_data.dictionary_page_offset !== undefined, 'a dictionary page');
      assert.ok(pages('RLE_DICTIONARY') >= 2, `dictionary pages before the fallback: ${stats}`);
      assert.ok(pages('PLAIN') >= 1, `PLAIN pages after it: ${stats}`);
    });
  }
  test('zstd level and gzip level', async () => {
    await roundTrip(['--rows', '2000', '--seed', '16', '--codec', 'zstd', '--level', '19']);
    await roundTrip(['--rows', '2000', '--seed', '16', '--codec', 'gzip', '--level', '9']);
  });
});
