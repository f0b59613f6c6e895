// Reads what lake wrote (OUT/<table>/...) with DuckDB and with hyparquet, checks the layout rules
// of SPEC.md, and compares the tables with the oracle. Every check appends a human-readable line
// to `problems` instead of throwing, so one run reports everything that is wrong.
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { COLUMN_TYPES, TABLES, canon, fileColumns } from './oracle.mjs';
import {
  CODEC_FOOTER,
  escapePartitionValue,
  partFileRegex,
  unescapePartitionValue,
} from './spark.mjs';

const sqlStr = (s) => `'${s.replace(/'/g, "''")}'`;

function walk(root, sub = '') {
  const out = [];
  for (const ent of readdirSync(join(root, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${ent.name}` : ent.name;
    if (ent.isDirectory()) for (const k of walk(root, rel)) out.push(k);
    else out.push(rel);
  }
  return out;
}

/** Total order used for keys: numbers and bigints numerically, strings by UTF-8 bytes. */
export function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A printable, type-exact rendering of a value (doubles by shortest round-trip text). */
export function show(v) {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return JSON.stringify(v);
}

export function showRow(r) {
  return `[${r.map(show).join(', ')}]`;
}

function sameValue(a, b) {
  return typeof a === typeof b && (typeof a === 'number' ? Object.is(a, b) : a === b);
}

function partitionValueFromDir(column, text) {
  const v = unescapePartitionValue(text);
  if (v === null) return null;
  if (COLUMN_TYPES[column] === 'int32') return /^-?\d+$/.test(v) ? Number(v) : `<not an int: ${v}>`;
  return v;
}

function expectedParquetType(kind) {
  return {
    string: { type: 'BYTE_ARRAY', logical: /String/i, converted: 'UTF8' },
    int32: { type: 'INT32' },
    int64: { type: 'INT64' },
    double: { type: 'DOUBLE' },
    timestamp: { type: 'INT64', logical: /Timestamp.*isAdjustedToUTC=(1|true).*MICROS/i },
  }[kind];
}

/**
 * Reads one table. Returns { files: [{rel, dirParts, rows, hyRows}], rows, dirs }, where rows
 * are full table rows (partition values from directory names) with row.__part, row.__file.
 */
async function readTable(conn, outDir, table, codec, problems, uuids) {
  const t = TABLES[table];
  const tdir = join(outDir, table);
  const res = { files: [], rows: [], dirs: new Set() };
  if (!existsSync(tdir)) {
    problems.push(`${table}: directory ${tdir} missing`);
    return res;
  }
  const rx = partFileRegex(codec);
  const entries = walk(tdir).sort();
  if (!entries.includes('_SUCCESS')) problems.push(`${table}: _SUCCESS missing`);
  for (const rel of entries) {
    if (rel === '_SUCCESS') continue;
    const segs = rel.split('/');
    const name = segs.pop();
    const m = rx.exec(name);
    if (!m) {
      problems.push(`${table}: unexpected file ${rel} (expected ${rx})`);
      continue;
    }
    uuids.add(m[2]);
    if (segs.length !== t.partitionBy.length) {
      problems.push(`${table}: ${rel} is ${segs.length} directories deep, expected ${t.partitionBy.length}`);
      continue;
    }
    const dirParts = [];
    let ok = true;
    segs.forEach((seg, i) => {
      const col = t.partitionBy[i];
      if (!seg.startsWith(`${col}=`)) {
        problems.push(`${table}: ${rel}: directory "${seg}" should be ${col}=...`);
        ok = false;
        return;
      }
      const text = seg.slice(col.length + 1);
      const value = partitionValueFromDir(col, text);
      if (escapePartitionValue(value) !== text) {
        problems.push(`${table}: ${rel}: "${seg}" is not Spark's escaping of ${show(value)} ` +
          `(expected ${col}=${escapePartitionValue(value)})`);
      }
      dirParts.push(value);
    });
    if (!ok) continue;
    if (statSync(join(tdir, rel)).size === 0) problems.push(`${table}: ${rel} is empty`);
    res.files.push({ rel, path: join(tdir, rel), dirParts, dir: segs.join('/') });
    res.dirs.add(segs.join('/'));
  }
  // _SUCCESS is written last, after every data file of the table.
  if (entries.includes('_SUCCESS') && res.files.length) {
    const ok = statSync(join(tdir, '_SUCCESS')).mtimeMs;
    const late = res.files.filter((f) => statSync(f.path).mtimeMs > ok);
    if (late.length) problems.push(`${table}: ${late[0].rel} is newer than _SUCCESS`);
  }
  if (!res.files.length) return res;

  const list = `[${res.files.map((f) => sqlStr(f.path)).join(', ')}]`;
  const fcols = fileColumns(table);

  // Schema: exactly the file columns, in order, OPTIONAL, with SPEC.md's types.
  const schema = (await conn.runAndReadAll(
    `SELECT file_name, name, type, repetition_type, converted_type, logical_type, num_children
     FROM parquet_schema(${list})`,
  )).getRowObjectsJS();
  const byFile = new Map();
  for (const r of schema) {
    if (r.num_children !== null && r.num_children > 0) continue; // the root
    if (!byFile.has(r.file_name)) byFile.set(r.file_name, []);
    byFile.get(r.file_name).push(r);
  }
  for (const f of res.files) {
    const cols = byFile.get(f.path) || [];
    const names = cols.map((c) => c.name);
    if (names.join(',') !== fcols.join(',')) {
      problems.push(`${table}: ${f.rel}: columns [${names}] expected [${fcols}]`);
      continue;
    }
    for (const c of cols) {
      const exp = expectedParquetType(COLUMN_TYPES[c.name]);
      const logical = c.logical_type === null ? '' : String(c.logical_type);
      if (c.type !== exp.type) problems.push(`${table}: ${f.rel}: ${c.name} is ${c.type}, expected ${exp.type}`);
      if (c.repetition_type !== 'OPTIONAL') problems.push(`${table}: ${f.rel}: ${c.name} is ${c.repetition_type}, expected OPTIONAL`);
      if (exp.logical && !exp.logical.test(logical) && c.converted_type !== exp.converted) {
        problems.push(`${table}: ${f.rel}: ${c.name} logical type "${logical}" (converted ${c.converted_type}), expected ${exp.logical}`);
      }
      if (COLUMN_TYPES[c.name] !== 'timestamp' && COLUMN_TYPES[c.name] !== 'string' && logical &&
          !/^Int/i.test(logical) && !/INT/.test(logical)) {
        problems.push(`${table}: ${f.rel}: ${c.name} has unexpected logical type "${logical}"`);
      }
    }
  }
  // Codec of every column chunk.
  const codecs = (await conn.runAndReadAll(
    `SELECT DISTINCT compression FROM parquet_metadata(${list})`,
  )).getRowsJS().map((r) => r[0]);
  for (const c of codecs) {
    if (c !== CODEC_FOOTER[codec]) problems.push(`${table}: column chunks compressed ${c}, expected ${CODEC_FOOTER[codec]}`);
  }
  if (problems.some((p) => p.startsWith(`${table}: `) && / columns \[/.test(p))) return res;

  // Rows, read by DuckDB.
  const sel = fcols.map((c) => (COLUMN_TYPES[c] === 'timestamp' ? `epoch_us("${c}") AS "${c}"` : `"${c}"`));
  const reader = await conn.runAndReadAll(
    `SELECT filename, ${sel.join(', ')} FROM read_parquet(${list}, filename = true,
       file_row_number = true, hive_partitioning = false)
     ORDER BY filename, file_row_number`,
  );
  const perFile = new Map(res.files.map((f) => [f.path, []]));
  for (const r of reader.getRowsJS()) perFile.get(r[0]).push(r.slice(1).map(canon));

  for (const f of res.files) {
    f.fileRows = perFile.get(f.path);
    // Full table rows: partition columns from the directory, the rest from the file.
    f.rows = f.fileRows.map((fr) => {
      const row = t.columns.map((c) => {
        const pi = t.partitionBy.indexOf(c);
        return pi >= 0 ? f.dirParts[pi] : fr[fcols.indexOf(c)];
      });
      row.__part = f.dirParts;
      row.__file = f.rel;
      return row;
    });
    // Sorted by the table's key inside each file.
    const ki = t.columns.indexOf(t.key);
    for (let i = 1; i < f.rows.length; i++) {
      if (compareValues(f.rows[i - 1][ki], f.rows[i][ki]) >= 0) {
        problems.push(`${table}: ${f.rel}: rows ${i - 1} and ${i} not in ascending ${t.key} order ` +
          `(${show(f.rows[i - 1][ki])}, ${show(f.rows[i][ki])})`);
        break;
      }
    }
    for (const r of f.rows) res.rows.push(r);
  }

  // The same rows once more, read by hyparquet.
  for (const f of res.files) {
    let objs;
    try {
      objs = await parquetReadObjects({
        file: await asyncBufferFromFile(f.path),
        compressors,
        parsers: {
          timestampFromMicroseconds: (v) => BigInt(v),
          timestampFromMilliseconds: (v) => BigInt(v) * 1000n,
        },
      });
    } catch (e) {
      problems.push(`${table}: hyparquet cannot read ${f.rel}: ${e.message}`);
      continue;
    }
    const hy = objs.map((o) => fcols.map((c) => canon(o[c] === undefined ? null : o[c])));
    if (hy.length !== f.fileRows.length) {
      problems.push(`${table}: ${f.rel}: hyparquet reads ${hy.length} rows, DuckDB ${f.fileRows.length}`);
      continue;
    }
    for (let i = 0; i < hy.length; i++) {
      if (!hy[i].every((v, j) => sameValue(v, f.fileRows[i][j]))) {
        problems.push(`${table}: ${f.rel}: row ${i}: hyparquet ${showRow(hy[i])} != DuckDB ${showRow(f.fileRows[i])}`);
        break;
      }
    }
  }
  return res;
}

/** Reads every table of an output directory. */
export async function readLakeOutput(outDir, { codec = 'snappy' } = {}) {
  const problems = [];
  const uuids = new Set();
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const tables = {};
  try {
    for (const table of Object.keys(TABLES)) {
      try {
        tables[table] = await readTable(conn, outDir, table, codec, problems, uuids);
      } catch (e) {
        problems.push(`${table}: cannot read: ${e.message}`);
        tables[table] = { files: [], rows: [], dirs: new Set() };
      }
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  if (uuids.size > 1) problems.push(`data files carry ${uuids.size} different run uuids, expected one`);
  return { tables, problems, uuids };
}

/**
 * Compares lake's tables with the oracle's: same partition directories, same rows (all columns,
 * exact types and values) in key order, each row in the directory its partition values give.
 */
export function compareWithOracle(lake, oracle, problems = []) {
  for (const [table, t] of Object.entries(TABLES)) {
    const exp = oracle.tables[table];
    const got = [...lake.tables[table].rows];
    const ki = t.columns.indexOf(t.key);
    got.sort((a, b) => compareValues(a[ki], b[ki]));
    const expDirs = new Set(exp.map((r) => t.partitionBy.map((c, i) => `${c}=${escapePartitionValue(r.__part[i])}`).join('/')));
    const gotDirs = lake.tables[table].dirs;
    const missing = [...expDirs].filter((d) => !gotDirs.has(d));
    const extra = [...gotDirs].filter((d) => !expDirs.has(d));
    if (missing.length) problems.push(`${table}: ${missing.length} partition directories missing, e.g. ${JSON.stringify(missing.slice(0, 3))}`);
    if (extra.length) problems.push(`${table}: ${extra.length} unexpected partition directories, e.g. ${JSON.stringify(extra.slice(0, 3))}`);
    if (got.length !== exp.length) problems.push(`${table}: ${got.length} rows, oracle has ${exp.length}`);
    const n = Math.min(got.length, exp.length);
    for (let i = 0; i < n; i++) {
      const g = got[i];
      const e = exp[i];
      const cellsDiffer = !e.every((v, j) => sameValue(v, g[j]));
      const partDiffer = !e.__part.every((v, j) => sameValue(v, g.__part[j]));
      if (cellsDiffer || partDiffer) {
        const cols = t.columns.filter((c, j) => !sameValue(e[j], g[j]));
        problems.push(`${table}: first differing row #${i} (by ${t.key})` +
          (cols.length ? ` in columns [${cols}]` : '') + (partDiffer ? ' in partition values' : '') +
          `:\n    lake   ${showRow(g)} part ${showRow(g.__part)} file ${g.__file}\n    oracle ${showRow(e)} part ${showRow(e.__part)}`);
        break;
      }
    }
  }
  return problems;
}

/** Reads every NDJSON object under OUT/_rejected/. */
export function readRejected(outDir) {
  const dir = join(outDir, '_rejected');
  if (!existsSync(dir)) return { files: [], records: [] };
  const files = walk(dir).sort();
  const records = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      records.push({ file: f, ...JSON.parse(line) });
    }
  }
  return { files, records };
}

/**
 * Every file under dir with its bytes' hex digest, for before/after comparison. With maskRunIds
 * the run uuids in file names are masked too, to compare the files of two runs.
 */
export async function snapshotDir(dir, { exclude = () => false, maskRunIds = false } = {}) {
  const { createHash } = await import('node:crypto');
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const snap = {};
  for (const rel of walk(dir).sort()) {
    if (exclude(rel)) continue;
    let bytes = readFileSync(join(dir, rel));
    // A _SUCCESS names the run that committed its table (`lake run <uuid>`): compare it as the
    // file names are compared, run uuid aside.
    if (rel.endsWith('_SUCCESS')) bytes = Buffer.from(bytes.toString('utf8').replace(uuid, 'UUID'));
    snap[maskRunIds ? rel.replace(uuid, 'UUID') : rel] = createHash('sha256').update(bytes).digest('hex');
  }
  return snap;
}
