// The DuckDB peer of `lake run` for `make bench`: the same input, the same five tables with the
// same partitioning and codec, written the way a DuckDB user would write the job — read_json over
// the globs, the SPEC.md transforms in SQL, COPY ... (FORMAT parquet, PARTITION_BY ...).
//
// Tuned fairly: all threads, preserve_insertion_order=false, explicit column types (no schema
// sampling), one materialized table of NextSong events shared by users, time and songplays.
// maximum_object_size is lowered to 1 MiB for the song files: with the default (16 MiB buffers)
// DuckDB 1.5 ran out of 18.8 GiB on the 95,000 files of the L data set.
//
// One simplification: "first record in input order" is taken as the first file name. read_json
// has no row-number-in-file column, and recovering it with preserve_insertion_order=true plus
// row_number() OVER () ran out of memory on L (one row group per tiny file), so when one file
// holds the same song_id twice (lake gen writes exactly one such pair) DuckDB keeps either.
// Row counts are unaffected.
//
// It is not the test oracle (tests/e2e/lib/oracle.mjs): bad-record routing, _SUCCESS files and
// Spark file names are left out. Row counts per table are printed so run.sh can compare them
// with lake's summary.
//
// usage: node bench/duckdb_pipeline.mjs INPUT OUTPUT [--threads N] [--compression snappy]
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { rmSync, mkdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../tests/package.json'));
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));

function parseArgs(argv) {
  const o = { threads: availableParallelism(), compression: 'snappy', pos: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--threads') o.threads = Number(argv[++i]);
    else if (argv[i] === '--compression') o.compression = argv[++i];
    else o.pos.push(argv[i]);
  }
  if (o.pos.length !== 2) {
    console.error('usage: duckdb_pipeline.mjs INPUT OUTPUT [--threads N] [--compression C]');
    process.exit(2);
  }
  return o;
}

const opt = parseArgs(process.argv.slice(2));
const input = resolve(opt.pos[0]);
const output = resolve(opt.pos[1]);
const lit = (s) => `'${s.replaceAll("'", "''")}'`;

const SONG_COLS = `{song_id: 'VARCHAR', title: 'VARCHAR', artist_id: 'VARCHAR',
  artist_name: 'VARCHAR', artist_location: 'VARCHAR', artist_latitude: 'DOUBLE',
  artist_longitude: 'DOUBLE', year: 'INTEGER', duration: 'DOUBLE'}`;
const EVENT_COLS = `{artist: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR',
  itemInSession: 'BIGINT', lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR',
  location: 'VARCHAR', page: 'VARCHAR', sessionId: 'BIGINT', song: 'VARCHAR', ts: 'BIGINT',
  userAgent: 'VARCHAR', userId: 'VARCHAR'}`;

// *.json* takes .json, .json.gz and .json.zst; compression is detected from the extension.
const songGlob = lit(`${input}/song_data/**/*.json*`);
const logGlob = lit(`${input}/log_data/**/*.json*`);
const parquet = `FORMAT parquet, COMPRESSION ${opt.compression}`;
const dir = (t) => lit(`${output}/${t}`);

const STEPS = [
  ['settings', `SET threads = ${opt.threads}; SET preserve_insertion_order = false;
    SET TimeZone = 'UTC';`],
  // Songs: input order is the file name; see the header for the within-file tie.
  ['read songs', `
    CREATE TEMP TABLE song_raw AS
      SELECT *
      FROM read_json(${songGlob}, format = 'unstructured', columns = ${SONG_COLS},
                     maximum_object_size = 1048576, filename = true)
      WHERE song_id IS NOT NULL AND artist_id IS NOT NULL;`],
  ['dedup songs', `
    CREATE TEMP TABLE s_songs AS
      SELECT song_id, title, artist_id, year, duration, artist_name FROM song_raw
      QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY filename) = 1;
    CREATE TEMP TABLE s_artists AS
      SELECT artist_id, artist_name AS name, artist_location AS location,
             artist_latitude AS latitude, artist_longitude AS longitude FROM song_raw
      QUALIFY row_number() OVER (PARTITION BY artist_id ORDER BY filename) = 1;`],
  ['read events', `
    CREATE TEMP TABLE plays AS
      SELECT ts, TRY_CAST(userId AS INTEGER) AS user_id, sessionId AS session_id,
             itemInSession AS item, firstName AS first_name, lastName AS last_name, gender,
             level, location, userAgent AS user_agent, song, artist, length
      FROM read_json(${logGlob}, format = 'newline_delimited', columns = ${EVENT_COLS})
      WHERE page = 'NextSong' AND ts IS NOT NULL AND TRY_CAST(userId AS INTEGER) IS NOT NULL;`],
  ['write songs', `COPY (SELECT song_id, title, artist_id, year, duration FROM s_songs
      ORDER BY song_id) TO ${dir('songs')}
      (${parquet}, PARTITION_BY (year, artist_id), OVERWRITE_OR_IGNORE);`],
  ['write artists', `COPY (SELECT * FROM s_artists ORDER BY artist_id)
      TO ${lit(`${output}/artists/data_0.parquet`)} (${parquet});`],
  ['write users', `COPY (
      SELECT user_id, first_name, last_name, gender, level FROM plays
      QUALIFY row_number() OVER (PARTITION BY user_id
                                 ORDER BY ts DESC, session_id DESC, item DESC) = 1
      ORDER BY user_id) TO ${lit(`${output}/users/data_0.parquet`)} (${parquet});`],
  ['write time', `COPY (
      WITH t AS (SELECT DISTINCT ts FROM plays), s AS (SELECT ts, epoch_ms(ts) AS st FROM t)
      SELECT st::TIMESTAMPTZ AS start_time, hour(st)::INTEGER AS hour, day(st)::INTEGER AS day,
             week(st)::INTEGER AS week, month(st)::INTEGER AS month,
             year(st)::INTEGER AS year, (dayofweek(st) + 1)::INTEGER AS weekday
      FROM s ORDER BY start_time) TO ${dir('time')}
      (${parquet}, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE);`],
  ['write songplays', `COPY (
      WITH m AS (
        SELECT p.ts, p.user_id, p.session_id, p.item, p.level, p.location, p.user_agent,
               s.song_id, s.artist_id
        FROM plays p JOIN s_songs s
          ON p.song = s.title AND p.artist = s.artist_name AND p.length = s.duration)
      SELECT row_number() OVER (ORDER BY ts, user_id, session_id, item, song_id)::BIGINT
               AS songplay_id,
             epoch_ms(ts)::TIMESTAMPTZ AS start_time, user_id, level, song_id, artist_id,
             session_id, location, user_agent,
             year(epoch_ms(ts))::INTEGER AS year, month(epoch_ms(ts))::INTEGER AS month
      FROM m ORDER BY songplay_id) TO ${dir('songplays')}
      (${parquet}, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE);`],
];

rmSync(output, { recursive: true, force: true });
for (const t of ['artists', 'users']) mkdirSync(`${output}/${t}`, { recursive: true });

const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
const times = [];
const rows = {};
try {
  for (const [name, sql] of STEPS) {
    const t0 = performance.now();
    const res = await conn.run(sql);
    times.push(`${name} ${((performance.now() - t0) / 1000).toFixed(3)}s`);
    if (process.env.BENCH_VERBOSE) console.error(`  step ${times.at(-1)}`);
    // COPY returns the number of rows written.
    if (name.startsWith('write ')) rows[name.slice(6)] = Number((await res.getRowsJS())[0][0]);
  }
} finally {
  conn.closeSync();
  inst.closeSync();
}
const order = ['songs', 'artists', 'users', 'time', 'songplays'];
console.log(`duckdb run: ${input} -> ${output}, ${opt.threads} threads`);
for (const t of order) console.log(`  ${t.padEnd(12)} ${String(rows[t]).padStart(10)} rows`);
console.log(`  time: ${times.join(', ')}`);
