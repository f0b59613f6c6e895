// Compares the tables lake and DuckDB wrote for one bench size, row by row: for each table, the
// rows of one output that the other lacks (EXCEPT ALL over all columns, partition columns read
// back from the Hive directory names). Prints "table a_not_b b_not_a" lines; exit 0 either way.
//
// usage: node bench/compare.mjs LAKE_OUT DUCKDB_OUT
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, '../tests/package.json'));
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));

const COLS = {
  songs: 'song_id, title, artist_id, year::INTEGER, duration',
  artists: 'artist_id, name, location, latitude, longitude',
  users: 'user_id, first_name, last_name, gender, level',
  time: 'start_time, hour, day, week, month::INTEGER, year::INTEGER, weekday',
  songplays: 'songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, ' +
    'user_agent, year::INTEGER, month::INTEGER',
};
const [a, b] = process.argv.slice(2).map((p) => resolve(p).replaceAll("'", "''"));
const inst = await DuckDBInstance.create(':memory:');
const conn = await inst.connect();
for (const [t, cols] of Object.entries(COLS)) {
  const sel = (d) => `SELECT ${cols} FROM read_parquet('${d}/${t}/**/*.parquet',
    hive_partitioning = true, hive_types_autocast = false)`;
  const r = await conn.runAndReadAll(`SELECT
    (SELECT count(*) FROM (${sel(a)} EXCEPT ALL ${sel(b)})),
    (SELECT count(*) FROM (${sel(b)} EXCEPT ALL ${sel(a)}))`);
  const [x, y] = r.getRowsJS()[0];
  console.log(`${t} ${x} ${y}`);
}
conn.closeSync();
inst.closeSync();
