// lake inspect reads every valid file a mainstream writer produces, and refuses anything else with
// a reason that names what is unsupported (issue 22). The files apache/parquet-testing carries for
// these cases cannot be downloaded in CI, so each test makes a file with the same property: a
// file from lake's writer (pq-roundtrip) whose footer is decoded, edited and encoded again with
// a small Thrift compact codec (lib/thrift_compact.mjs), as those writers would have written it.
// DuckDB reads the valid ones, which shows the edit made a valid file, not a lucky one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { assertOneLineError, lake, lakeOk, tempDir } from './lib/lake.mjs';
import {
  BOOL, T, decodeStruct, field, get, joinParquet, remove, set, splitParquet, struct,
} from './lib/thrift_compact.mjs';

const here = new URL('.', import.meta.url).pathname;
const PQRT = [process.env.PQ_ROUNDTRIP_BIN, resolve(here, '../../build/release/pq-roundtrip')]
  .filter(Boolean).find((p) => existsSync(p));
if (!PQRT) throw new Error('no pq-roundtrip binary: set PQ_ROUNDTRIP_BIN or build build/release/pq-roundtrip');

let tmp, conn, base, baseRows;
let fileNo = 0;

before(async () => {
  tmp = tempDir('lake-inspect-compat-');
  const pq = join(tmp.dir, 'base.parquet');
  const r = spawnSync(PQRT, [pq, join(tmp.dir, 'base.json'), '--rows', '300', '--seed', '5'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  base = readFileSync(pq);
  baseRows = 300;
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});
after(() => tmp?.cleanup());

/** The base file with its FileMetaData changed by edit(meta, parts); returns its path. */
function variant(edit) {
  const parts = splitParquet(base);
  const out = edit(parts.meta, parts) || parts;
  const p = join(tmp.dir, `v${fileNo++}.parquet`);
  writeFileSync(p, joinParquet(out));
  return p;
}

/** Every ColumnMetaData of the file's row groups, with its ColumnChunk. */
function chunks(meta) {
  return get(meta, 4).items.flatMap((rg) => get(rg, 1).items.map((cc) => ({ cc, md: get(cc, 3) })));
}

const inspectJson = (p) => JSON.parse(lakeOk(['inspect', '--json', p]).stdout).files[0];

async function duckCount(p) {
  const reader = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${p}')`);
  return reader.getRowObjectsJson()[0].n;
}

/** lake inspect refuses p (text and --json) with exit 1 and one line naming it and matching re. */
function refused(p, re) {
  for (const args of [['inspect', p], ['inspect', '--json', p]]) {
    const r = lake(args);
    const line = assertOneLineError(r, `lake ${args.join(' ')}`);
    assert.ok(line.startsWith(`lake inspect: ${p}: `), line);
    assert.match(line, re);
    assert.equal(r.stdout, '');
  }
}

describe('valid files from other writers are read', () => {
  test('an unused index_page_offset of 0 (parquet-cpp 1.3, nan_in_stats.parquet), or any other value', async () => {
    for (const value of [0n, 1n << 40n]) {
      const p = variant((meta) => {
        for (const { md } of chunks(meta)) set(md, 10, T.I64, value);
      });
      const doc = inspectJson(p);
      for (const c of doc.row_groups[0].columns) assert.equal(c.index_page_offset, Number(value));
      assert.equal(doc.num_rows, baseRows);
      assert.equal(await duckCount(p), baseRows);
    }
  });

  test('empty column chunks with data_page_offset 0: a dictionary page alone or nothing (column_chunk_key_value_metadata.parquet)', async () => {
    const p = variant((meta, parts) => {
      set(meta, 3, T.I64, 0n);
      for (const rg of get(meta, 4).items) set(rg, 3, T.I64, 0n);
      for (const { cc, md } of chunks(meta)) {
        const dict = get(md, 11);
        set(md, 5, T.I64, 0n);
        set(md, 9, T.I64, 0n);
        remove(md, 12); // statistics of rows that are gone
        remove(md, 13);
        for (const id of [4, 5, 6, 7]) remove(cc, id); // no pages, no page index
        if (dict === undefined) {
          set(md, 6, T.I64, 0n);
          set(md, 7, T.I64, 0n);
          continue;
        }
        // the chunk is its dictionary page: header and body
        const { struct: header, end } = decodeStruct(parts.data, Number(dict));
        const size = BigInt(end - Number(dict)) + get(header, 3);
        set(md, 7, T.I64, size);
        set(md, 6, T.I64, BigInt(end - Number(dict)) + get(header, 2));
        set(md, 8, T.LIST, { etype: T.STRUCT, items: [
          struct([1, T.BINARY, Buffer.from('foo')], [2, T.BINARY, Buffer.from('bar')]),
          struct([1, T.BINARY, Buffer.from('thisiskeywithoutvalue')])] });
      }
    });
    const doc = inspectJson(p);
    assert.equal(doc.num_rows, 0);
    const cols = doc.row_groups[0].columns;
    const withDict = cols.filter((c) => c.dictionary_page_offset !== null);
    assert.ok(withDict.length >= 2 && withDict.length < cols.length, 'both kinds of empty chunk are there');
    for (const c of cols) {
      assert.equal(c.data_page_offset, 0);
      assert.equal(c.num_values, 0);
      assert.equal(c.pages.data_pages, 0);
    }
    for (const c of withDict) {
      assert.equal(c.pages.count, 1, `${c.path}: the dictionary page`);
      assert.ok(c.dictionary.entries > 0);
      assert.deepEqual(c.key_value_metadata, [{ key: 'foo', value: 'bar' }, { key: 'thisiskeywithoutvalue', value: null }]);
    }
    assert.equal(await duckCount(p), 0);
  });

  test('a known field with a wire type it does not have is skipped, as Thrift readers do (dict-page-offset-zero.parquet)', async () => {
    // Dremio's parquet-mr wrote a list<struct> as ColumnMetaData field 15 (now bloom_filter_length,
    // an i32), and dictionary_page_offset 0 for "no dictionary"; and an optional field of
    // another type (Statistics.null_count as binary) is dropped the same way.
    const p = variant((meta) => {
      for (const { md } of chunks(meta)) {
        set(md, 15, T.LIST, { etype: T.STRUCT, items: [struct(
          [1, T.STRUCT, struct([1, T.I32, 0n], [2, T.I32, 162n], [3, T.I32, 22n])], [2, T.I64, 22n])] });
        if (get(md, 11) === undefined) set(md, 11, T.I64, 0n);
        const stats = get(md, 12);
        if (stats) set(stats, 3, T.BINARY, Buffer.from([1, 2, 3]));
      }
      set(meta, 100, T.STRUCT, struct([1, T.MAP, { ktype: T.BINARY, vtype: T.LIST,
        entries: [[Buffer.from('k'), { etype: BOOL, items: [true, false] }]] }]));
    });
    const doc = inspectJson(p);
    for (const c of doc.row_groups[0].columns) {
      assert.equal(c.bloom_filter_length, null, `${c.path}: the mistyped field is skipped`);
      if (c.statistics) assert.equal(c.statistics.null_count, null, `${c.path}: null_count dropped`);
    }
    assert.ok(doc.row_groups[0].columns.some((c) => c.dictionary_page_offset === 0));
    assert.equal(await duckCount(p), baseRows);
  });
});

describe('what lake cannot read is refused with the reason, not called corrupt', () => {
  test('a required field with another wire type is unsupported; one that is missing is corrupt', () => {
    const mistyped = variant((meta) => {
      set(chunks(meta)[0].md, 4, T.BINARY, Buffer.from('SNAPPY'));
    });
    refused(mistyped, /unsupported footer: required field ColumnMetaData\.codec \(id 4\) has wire type binary, which its definition does not give it \(a writer's extension lake cannot read\)$/);
    const missing = variant((meta) => {
      remove(chunks(meta)[0].md, 4);
    });
    refused(missing, /corrupt footer at byte \d+: ColumnMetaData lacks required field 4 \(codec\)$/);
    const rows = variant((meta) => {
      set(meta, 3, T.LIST, { etype: T.I64, items: [1n] });
    });
    refused(rows, /unsupported footer: required field FileMetaData\.num_rows \(id 3\) has wire type list/);
  });

  test('an encrypted footer (magic PARE) is "encrypted Parquet is not supported"', () => {
    const bytes = Buffer.from(base);
    bytes.write('PARE', 0);
    bytes.write('PARE', bytes.length - 4);
    const p = join(tmp.dir, 'pare.parquet');
    writeFileSync(p, bytes);
    refused(p, /: encrypted Parquet is not supported: the footer is encrypted \(magic PARE\)$/);
  });

  test('a plaintext footer of an encrypted file, with its signature, is "encrypted Parquet is not supported"', () => {
    const p = variant((meta, parts) => {
      // encryption_algorithm: AES_GCM_V1 { aad_file_unique, supply_aad_prefix false }, then the
      // footer signing key metadata, and after FileMetaData the signature: nonce (12) + tag (16)
      set(meta, 8, T.STRUCT, struct([1, T.STRUCT, struct([2, T.BINARY, Buffer.alloc(8, 7)], [3, BOOL, false])]));
      set(meta, 9, T.BINARY, Buffer.from('kf'));
      return { ...parts, trailing: Buffer.alloc(28, 0xab) };
    });
    refused(p, /: encrypted Parquet is not supported: the footer is plaintext but the file is encrypted \(FileMetaData\.encryption_algorithm\)$/);
  });

  test('a column chunk whose metadata is encrypted is "encrypted Parquet is not supported"', () => {
    const p = variant((meta) => {
      const { cc } = chunks(meta)[1];
      remove(cc, 3);
      set(cc, 8, T.STRUCT, struct([1, T.STRUCT, struct()]));
      set(cc, 9, T.BINARY, Buffer.alloc(40, 1));
    });
    refused(p, /: encrypted Parquet is not supported: a column chunk's metadata is encrypted/);
  });

  test('an empty chunk that claims bytes but names no page is corrupt', () => {
    const p = variant((meta) => {
      set(meta, 3, T.I64, 0n);
      for (const rg of get(meta, 4).items) set(rg, 3, T.I64, 0n);
      for (const { md } of chunks(meta)) {
        set(md, 5, T.I64, 0n);
        set(md, 9, T.I64, 0n);
        remove(md, 11);
        remove(md, 12);
      }
    });
    refused(p, /row group 0, column 0 \(i32\): \d+ bytes but neither a data page nor a dictionary page offset$/);
  });

  test('the base file is what these cases edit: lake and DuckDB read it unchanged', async () => {
    assert.equal(inspectJson(variant(() => {})).num_rows, baseRows);
    assert.ok(field(splitParquet(base).meta, 4), 'row groups');
  });
});
