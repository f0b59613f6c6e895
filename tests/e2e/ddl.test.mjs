// lake ddl: the DuckDB views, run by DuckDB over what lake run wrote from data/sample, give the
// rows of the tables read directly (lib/output.mjs: files read with hive_partitioning = false,
// partition values decoded from the directory names by our own code); the Athena and Spark
// statements, parsed here, declare every column with the type docs/spec.md gives it, the
// partition columns in directory order and the table's location; bad usage is exit 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LAKE_BIN, lake, lakeOk, run, tempDir } from './lib/lake.mjs';
import { COLUMN_TYPES, TABLES, canon } from './lib/oracle.mjs';
import { compareValues, readLakeOutput, showRow } from './lib/output.mjs';

const ROOT = resolve(new URL('.', import.meta.url).pathname, '../..');
const SAMPLE = join(ROOT, 'data/sample');

/**
 * The tables of docs/spec.md ("## Tables (Parquet)"): per table its columns with their types in
 * the contract's order and its partition columns. "first_name, last_name, gender, level
 * (strings)": a column without a type takes the next one's. A partition column that is not a
 * column of its table (songplays' year, month) has the type the contract gives that name in
 * another table (time's year and month).
 */
function specTables() {
  const spec = readFileSync(join(ROOT, 'docs/spec.md'), 'utf8');
  const section = spec.split('## Tables (Parquet)')[1].split('\n## ')[0];
  const tables = {};
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !Object.hasOwn(TABLES, cells[1])) continue;
    const columns = [];
    let pending = [];
    for (const item of cells[2].split(',').map((s) => s.trim())) {
      const m = /^(\w+)(?:\s*\((\w+)\))?$/.exec(item);
      assert.ok(m, `docs/spec.md: cannot read column "${item}" of ${cells[1]}`);
      pending.push(m[1]);
      if (!m[2]) continue;
      const type = m[2] === 'strings' ? 'string' : m[2];
      for (const name of pending) columns.push({ name, type });
      pending = [];
    }
    assert.deepEqual(pending, [], `docs/spec.md: columns without a type in ${cells[1]}`);
    const partitions = cells[4] === '—' ? [] : cells[4].split(',').map((s) => s.trim());
    tables[cells[1]] = { columns, partitions };
  }
  assert.deepEqual(Object.keys(tables).sort(), Object.keys(TABLES).sort(), 'tables of docs/spec.md');
  const typeOf = (table, name) => tables[table].columns.find((c) => c.name === name)?.type ??
    Object.values(tables).flatMap((t) => t.columns).find((c) => c.name === name)?.type;
  for (const [name, t] of Object.entries(tables)) {
    t.partitions = t.partitions.map((p) => ({ name: p, type: typeOf(name, p) }));
    for (const p of t.partitions) assert.ok(p.type, `docs/spec.md gives no type for ${name}.${p.name}`);
    t.fileColumns = t.columns.filter((c) => !t.partitions.some((p) => p.name === c.name));
  }
  return tables;
}

const HIVE_TYPE = { string: 'STRING', int32: 'INT', int64: 'BIGINT', double: 'DOUBLE', timestamp: 'TIMESTAMP' };
const DUCKDB_TYPE = {
  string: 'VARCHAR', int32: 'INTEGER', int64: 'BIGINT', double: 'DOUBLE', timestamp: 'TIMESTAMP WITH TIME ZONE',
};

/** `a` TYPE, `b` TYPE (no nested parentheses in these types) as [{ name, type }]. */
function parseColumnList(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((def) => {
    const m = /^`?(\w+)`?\s+(\w+)$/.exec(def);
    assert.ok(m, `cannot read column definition "${def}"`);
    return { name: m[1], type: m[2].toUpperCase() };
  });
}

/**
 * The Athena / Spark output as { tables: {name: {columns, partitions, location}}, repaired: [...] },
 * failing on any statement that is neither a CREATE EXTERNAL TABLE nor an MSCK REPAIR TABLE.
 */
function parseHiveDdl(sql) {
  const tables = {};
  const repaired = [];
  const statements = sql.split(';').map((s) => s.trim()).filter(Boolean);
  for (const st of statements) {
    const repair = /^MSCK REPAIR TABLE `?(\w+)`?$/i.exec(st);
    if (repair) {
      repaired.push(repair[1]);
      continue;
    }
    const m = /^CREATE EXTERNAL TABLE (?:IF NOT EXISTS )?`?(\w+)`?\s*\(([^)]*)\)\s*(?:PARTITIONED BY\s*\(([^)]*)\)\s*)?STORED AS PARQUET\s+LOCATION\s+'([^']*)'$/i.exec(st);
    assert.ok(m, `not a statement lake ddl should print:\n${st}`);
    assert.ok(!tables[m[1]], `${m[1]} created twice`);
    tables[m[1]] = { columns: parseColumnList(m[2]), partitions: parseColumnList(m[3] ?? ''), location: m[4] };
  }
  return { tables, repaired };
}

/** Checks parsed Athena/Spark statements against docs/spec.md; location(table) is the expected LOCATION. */
function checkHiveDdl(sql, spec, location) {
  const { tables, repaired } = parseHiveDdl(sql);
  assert.deepEqual(Object.keys(tables).sort(), Object.keys(spec).sort());
  for (const [name, s] of Object.entries(spec)) {
    const t = tables[name];
    assert.deepEqual(t.columns, s.fileColumns.map((c) => ({ name: c.name, type: HIVE_TYPE[c.type] })), `${name}: columns`);
    assert.deepEqual(t.partitions, s.partitions.map((c) => ({ name: c.name, type: HIVE_TYPE[c.type] })), `${name}: partitions`);
    assert.equal(t.location, location(name), `${name}: LOCATION`);
  }
  assert.deepEqual(repaired.sort(), Object.keys(spec).filter((n) => spec[n].partitions.length).sort(),
    'MSCK REPAIR TABLE for exactly the partitioned tables');
  return tables;
}

let work;
let out;
let direct;
let spec;

before(async () => {
  work = tempDir('lake-ddl-');
  out = join(work.dir, 'out');
  const r = run(SAMPLE, out);
  assert.equal(r.status, 0, r.stderr);
  direct = await readLakeOutput(out);
  assert.deepEqual(direct.problems, []);
  spec = specTables();
});

after(() => work?.cleanup());

/** Every row of a table as the view returns it, timestamps as epoch microseconds, sorted. */
async function viewRows(conn, table, columns) {
  const sel = columns.map((c) => (COLUMN_TYPES[c] === 'timestamp' ? `epoch_us("${c}")` : `"${c}"`));
  const rows = (await conn.runAndReadAll(`SELECT ${sel.join(', ')} FROM "${table}"`)).getRowsJS();
  return rows.map((r) => r.map(canon)).sort(compareRows);
}

function compareRows(a, b) {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

/** The rows read directly, with partition values that are not table columns (songplays) appended. */
function directRows(table) {
  const t = TABLES[table];
  const extra = t.partitionBy.filter((c) => !t.columns.includes(c));
  const rows = direct.tables[table].rows.map((r) => [...r, ...extra.map((c) => r.__part[t.partitionBy.indexOf(c)])]);
  return { columns: [...t.columns, ...extra], rows: rows.sort(compareRows) };
}

async function checkDuckdbViews(sql) {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(sql);
    for (const [table, s] of Object.entries(spec)) {
      const described = (await conn.runAndReadAll(`DESCRIBE "${table}"`)).getRowsJS().map((r) => [r[0], r[1]]);
      const want = [...s.columns, ...s.partitions.filter((p) => !s.columns.some((c) => c.name === p.name))];
      assert.deepEqual(described, want.map((c) => [c.name, DUCKDB_TYPE[c.type]]), `${table}: view columns`);
      const exp = directRows(table);
      assert.deepEqual(exp.columns, want.map((c) => c.name));
      const got = await viewRows(conn, table, exp.columns);
      assert.ok(exp.rows.length > 0, `${table}: no rows in the sample output`);
      assert.equal(got.length, exp.rows.length, `${table}: row count`);
      for (let i = 0; i < got.length; i++) {
        assert.deepEqual(got[i], exp.rows[i], `${table}: row ${i}: view ${showRow(got[i])} direct ${showRow(exp.rows[i])}`);
      }
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

test('the sample output exercises escaped and null partition values', () => {
  const songs = directRows('songs').rows;
  const col = (c) => TABLES.songs.columns.indexOf(c);
  assert.ok(songs.some((r) => r[col('year')] === null), 'a song in the default (null) year partition');
  assert.ok(songs.some((r) => /[/:=%]/.test(r[col('artist_id')] ?? '')), 'an artist_id that needs escaping');
});

test('duckdb: the views return the rows of the tables read directly (default dialect)', async () => {
  const sql = lakeOk(['ddl', '--output', out]).stdout;
  assert.equal(lakeOk(['ddl', '--output', out, '--dialect', 'duckdb']).stdout, sql);
  for (const table of Object.keys(spec)) {
    assert.ok(sql.includes(`read_parquet('${out}/${table}/**/*.parquet', hive_partitioning = `), `${table}: read_parquet of its directory`);
  }
  await checkDuckdbViews(sql);
});

test('duckdb: a relative LOCATION is made absolute, so the views work from any directory', async () => {
  const r = spawnSync(LAKE_BIN, ['ddl', '--output', './out/'], { cwd: work.dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, lakeOk(['ddl', '--output', out]).stdout);
  await checkDuckdbViews(r.stdout);
});

test('athena: every column with its docs/spec.md type, partitions in directory order, S3 location', () => {
  const sql = lakeOk(['ddl', '--output', 's3://my-bucket/lake/out/', '--dialect', 'athena']).stdout;
  checkHiveDdl(sql, spec, (t) => `s3://my-bucket/lake/out/${t}/`);
  // s3a:// is Hadoop's name for S3; Athena knows only s3://.
  const s3a = lakeOk(['ddl', '--output', 's3a://my-bucket/lake/out', '--dialect', 'athena']).stdout;
  assert.equal(s3a, sql);
  const bucketOnly = lakeOk(['ddl', '--output', 's3://my-bucket', '--dialect', 'athena']).stdout;
  checkHiveDdl(bucketOnly, spec, (t) => `s3://my-bucket/${t}/`);
});

test('athena/spark: the columns declared for the files are the columns the files hold', async () => {
  const { tables } = parseHiveDdl(lakeOk(['ddl', '--output', 's3://b/p', '--dialect', 'athena']).stdout);
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    for (const [table, t] of Object.entries(tables)) {
      const file = direct.tables[table].files[0].path.replace(/'/g, "''");
      const names = (await conn.runAndReadAll(
        `SELECT name FROM parquet_schema('${file}') WHERE coalesce(num_children, 0) = 0`,
      )).getRowsJS().map((r) => r[0]);
      assert.deepEqual(t.columns.map((c) => c.name), names, `${table}: columns of ${file}`);
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
});

test('spark: S3 locations as given, local ones as absolute file: URIs', () => {
  const s3 = lakeOk(['ddl', '--output', 's3://my-bucket/out', '--dialect', 'spark']).stdout;
  checkHiveDdl(s3, spec, (t) => `s3://my-bucket/out/${t}/`);
  const s3a = lakeOk(['ddl', '--output', 's3a://my-bucket/out', '--dialect', 'spark']).stdout;
  checkHiveDdl(s3a, spec, (t) => `s3a://my-bucket/out/${t}/`);
  const local = lakeOk(['ddl', '--output', out, '--dialect', 'spark']).stdout;
  checkHiveDdl(local, spec, (t) => `file://${out}/${t}/`);
  mkdirSync(join(work.dir, 'rel'), { recursive: true });
  const r = spawnSync(LAKE_BIN, ['ddl', '-o', '../out', '-d', 'spark'], { cwd: join(work.dir, 'rel'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  checkHiveDdl(r.stdout, spec, (t) => `file://${work.dir}/rel/../out/${t}/`);
});

test('bad usage is a usage error (exit 2) naming what is wrong, with nothing on stdout', () => {
  const cases = [
    [['ddl', '--output', out, '--dialect', 'hive'], /lake ddl: --dialect is athena, spark or duckdb, not 'hive'/],
    [['ddl'], /lake ddl: --output LOCATION is required/],
    [['ddl', '--dialect', 'athena'], /lake ddl: --output LOCATION is required/],
    [['ddl', '--output', ''], /lake ddl: --output is empty: it needs a value/],
    [['ddl', '--output'], /lake ddl: --output needs a value/],
    [['ddl', '--output', out, '--dialect'], /lake ddl: --dialect needs a value/],
    [['ddl', '--output', out, '--bogus'], /lake ddl: unknown option '--bogus'/],
    [['ddl', '--output', out, 'extra'], /lake ddl: unexpected argument 'extra'/],
    [['ddl', '--output', out, '--dialect', 'athena'], /Athena reads tables only from S3/],
    [['ddl', '--output', 'gs://bucket/x'], /LOCATION is a local path or s3:\/\/bucket\/prefix/],
    [['ddl', '--output', 's3:///x'], /LOCATION names no bucket/],
    [['ddl', '--output', "/tmp/it's"], /quote or a backslash/],
    [['ddl', '--output', '/tmp/a*b'], /glob/],
  ];
  for (const [args, pattern] of cases) {
    const r = lake(args);
    assert.equal(r.status, 2, `lake ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, pattern, `lake ${args.join(' ')}`);
    assert.match(r.stderr, /\(see 'lake ddl --help'\)\n$/, `lake ${args.join(' ')}: ends with the help hint`);
    assert.equal(r.stderr.trim().split('\n').length, 2, `lake ${args.join(' ')}: one line and the hint\n${r.stderr}`);
    assert.equal(r.stdout, '', `lake ${args.join(' ')}: stdout`);
  }
  // The same shape as the other commands' usage errors.
  const other = lake(['run', '--output', out]);
  assert.equal(other.status, 2);
  assert.match(other.stderr, /^lake run: .*\n\(see 'lake run --help'\)\n$/);
});

test('lake --help lists ddl; lake ddl --help explains the dialects and partition registration', () => {
  assert.match(lakeOk(['--help']).stdout, /^ {2}ddl /m);
  const help = lakeOk(['ddl', '--help']).stdout;
  for (const word of ['athena', 'spark', 'duckdb', 'MSCK REPAIR TABLE', 'hive_partitioning', '--output']) {
    assert.ok(help.includes(word), `lake ddl --help mentions ${word}`);
  }
});
