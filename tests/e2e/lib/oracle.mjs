// The oracle: SPEC.md's five tables computed from raw input records with DuckDB SQL, written from
// the spec alone (it shares no code or logic with lake). Records come from input.mjs; DuckDB
// parses each record's JSON (yyjson: exact unescaping and correctly rounded doubles).
//
// Results are plain JS rows in each table's column order with canonical value types:
// strings, numbers (int32 and double), bigint (int64, timestamps as epoch microseconds), null.
import { DuckDBInstance } from '@duckdb/node-api';
import { loadInput } from './input.mjs';

export const TABLES = {
  songs: {
    columns: ['song_id', 'title', 'artist_id', 'year', 'duration'],
    key: 'song_id',
    partitionBy: ['year', 'artist_id'],
  },
  artists: {
    columns: ['artist_id', 'name', 'location', 'latitude', 'longitude'],
    key: 'artist_id',
    partitionBy: [],
  },
  users: {
    columns: ['user_id', 'first_name', 'last_name', 'gender', 'level'],
    key: 'user_id',
    partitionBy: [],
  },
  time: {
    columns: ['start_time', 'hour', 'day', 'week', 'month', 'year', 'weekday'],
    key: 'start_time',
    partitionBy: ['year', 'month'],
  },
  songplays: {
    columns: [
      'songplay_id', 'start_time', 'user_id', 'level', 'song_id', 'artist_id', 'session_id',
      'location', 'user_agent',
    ],
    key: 'songplay_id',
    // not columns of the table: derived from start_time, like the Sparkify project does
    partitionBy: ['year', 'month'],
  },
};

// Parquet physical/logical type of every column as SPEC.md states it.
export const COLUMN_TYPES = {
  song_id: 'string', title: 'string', artist_id: 'string', year: 'int32', duration: 'double',
  name: 'string', location: 'string', latitude: 'double', longitude: 'double',
  user_id: 'int32', first_name: 'string', last_name: 'string', gender: 'string', level: 'string',
  start_time: 'timestamp', hour: 'int32', day: 'int32', week: 'int32', month: 'int32',
  weekday: 'int32', songplay_id: 'int64', session_id: 'int64', user_agent: 'string',
};

/** Columns stored inside a table's files (partition columns are not). */
export function fileColumns(table) {
  const t = TABLES[table];
  return t.columns.filter((c) => !t.partitionBy.includes(c));
}

async function loadRaw(conn, input) {
  await conn.run(`CREATE OR REPLACE TABLE raw_songs (key VARCHAR, file_idx INTEGER, pos INTEGER,
                  line INTEGER, txt VARCHAR)`);
  await conn.run(`CREATE OR REPLACE TABLE raw_events (key VARCHAR, file_idx INTEGER, pos INTEGER,
                  line INTEGER, txt VARCHAR)`);
  for (const [table, recs] of [['raw_songs', input.songs], ['raw_events', input.events]]) {
    const app = await conn.createAppender(table);
    for (const r of recs) {
      app.appendVarchar(r.key);
      app.appendInteger(r.fileIdx);
      app.appendInteger(r.pos);
      app.appendInteger(r.line);
      app.appendVarchar(r.text);
      app.endRow();
    }
    app.closeSync();
  }
}

// A JSON value of the expected kind, or null. Anything else is a "wrong type".
const STR = `IN ('VARCHAR', 'NULL')`;
const NUM = `IN ('DOUBLE', 'BIGINT', 'UBIGINT', 'NULL')`;
const INT = `IN ('BIGINT', 'UBIGINT', 'NULL')`;

const SQL_PARSE = `
CREATE OR REPLACE TABLE song_rec AS
WITH v AS (
  SELECT *, CASE WHEN json_valid(txt) THEN json_type(txt) = 'OBJECT' ELSE false END AS is_obj FROM raw_songs
), j AS (
  SELECT *, CASE WHEN is_obj THEN txt::JSON END AS j FROM v
)
SELECT key, file_idx, pos, line, txt,
  json_extract_string(j, '$.song_id') AS song_id,
  json_extract_string(j, '$.title') AS title,
  json_extract_string(j, '$.artist_id') AS artist_id,
  json_extract_string(j, '$.artist_name') AS artist_name,
  json_extract_string(j, '$.artist_location') AS artist_location,
  TRY_CAST(json_extract(j, '$.year') AS INTEGER) AS year,
  CAST(json_extract(j, '$.duration') AS DOUBLE) AS duration,
  CAST(json_extract(j, '$.artist_latitude') AS DOUBLE) AS latitude,
  CAST(json_extract(j, '$.artist_longitude') AS DOUBLE) AS longitude,
  CASE
    WHEN NOT is_obj THEN 'invalid JSON'
    WHEN json_extract_string(j, '$.song_id') IS NULL THEN 'missing song_id'
    WHEN json_extract_string(j, '$.artist_id') IS NULL THEN 'missing artist_id'
    WHEN coalesce(json_type(j, '$.song_id'), 'NULL') NOT ${STR}
      OR coalesce(json_type(j, '$.artist_id'), 'NULL') NOT ${STR}
      OR coalesce(json_type(j, '$.title'), 'NULL') NOT ${STR}
      OR coalesce(json_type(j, '$.artist_name'), 'NULL') NOT ${STR}
      OR coalesce(json_type(j, '$.artist_location'), 'NULL') NOT ${STR}
      OR coalesce(json_type(j, '$.duration'), 'NULL') NOT ${NUM}
      OR coalesce(json_type(j, '$.artist_latitude'), 'NULL') NOT ${NUM}
      OR coalesce(json_type(j, '$.artist_longitude'), 'NULL') NOT ${NUM}
      OR coalesce(json_type(j, '$.year'), 'NULL') NOT ${INT}
      OR (json_extract(j, '$.year') IS NOT NULL AND json_type(j, '$.year') <> 'NULL'
          AND TRY_CAST(json_extract(j, '$.year') AS INTEGER) IS NULL) THEN 'wrong type'
  END AS bad
FROM j;

CREATE OR REPLACE TABLE event_rec AS
WITH v AS (
  SELECT *, CASE WHEN json_valid(txt) THEN json_type(txt) = 'OBJECT' ELSE false END AS is_obj FROM raw_events
), j AS (
  SELECT *, CASE WHEN is_obj THEN txt::JSON END AS j FROM v
), f AS (
  SELECT key, file_idx, pos, line, txt, is_obj,
    json_extract_string(j, '$.page') AS page,
    json_type(j, '$.userId') AS uid_type,
    json_extract_string(j, '$.userId') AS uid_text,
    json_type(j, '$.ts') AS ts_type,
    TRY_CAST(json_extract(j, '$.ts') AS BIGINT) AS ts,
    TRY_CAST(json_extract(j, '$.sessionId') AS BIGINT) AS session_id,
    TRY_CAST(json_extract(j, '$.itemInSession') AS BIGINT) AS item,
    json_extract_string(j, '$.firstName') AS first_name,
    json_extract_string(j, '$.lastName') AS last_name,
    json_extract_string(j, '$.gender') AS gender,
    json_extract_string(j, '$.level') AS level,
    json_extract_string(j, '$.location') AS location,
    json_extract_string(j, '$.userAgent') AS user_agent,
    json_extract_string(j, '$.song') AS song,
    json_extract_string(j, '$.artist') AS artist,
    CAST(json_extract(j, '$.length') AS DOUBLE) AS length,
    json_type(j, '$.length') AS length_type
  FROM j
)
SELECT *,
  CASE WHEN uid_type = 'VARCHAR' AND regexp_full_match(uid_text, '-?[0-9]+')
       THEN TRY_CAST(uid_text AS INTEGER)
       WHEN uid_type IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(uid_text AS INTEGER) END AS user_id,
  CASE
    WHEN NOT is_obj THEN 'invalid JSON'
    WHEN page IS DISTINCT FROM 'NextSong' THEN NULL
    WHEN uid_type IS NULL OR uid_type = 'NULL' THEN 'missing userId'
    WHEN uid_text = '' THEN 'empty userId'
    WHEN (CASE WHEN uid_type = 'VARCHAR' AND regexp_full_match(uid_text, '-?[0-9]+')
               THEN TRY_CAST(uid_text AS INTEGER)
               WHEN uid_type IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(uid_text AS INTEGER) END) IS NULL
      THEN 'userId not an integer'
    WHEN ts_type IS NULL OR ts_type = 'NULL' THEN 'missing ts'
    WHEN ts_type NOT IN ('BIGINT', 'UBIGINT') OR ts IS NULL THEN 'wrong type'
    WHEN coalesce(length_type, 'NULL') NOT ${NUM} THEN 'wrong type'
  END AS bad
FROM f;
`;

const SQL_TABLES = `
CREATE OR REPLACE TABLE good_songs AS SELECT * FROM song_rec WHERE bad IS NULL;
CREATE OR REPLACE TABLE o_songs AS
  SELECT song_id, title, artist_id, year, duration, artist_name FROM good_songs
  QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY file_idx, pos) = 1;
CREATE OR REPLACE TABLE o_artists AS
  SELECT artist_id, artist_name AS name, artist_location AS location, latitude, longitude
  FROM good_songs
  QUALIFY row_number() OVER (PARTITION BY artist_id ORDER BY file_idx, pos) = 1;
CREATE OR REPLACE TABLE plays AS
  SELECT * FROM event_rec WHERE page = 'NextSong' AND bad IS NULL;
CREATE OR REPLACE TABLE o_users AS
  SELECT user_id, first_name, last_name, gender, level FROM plays
  QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY ts DESC, session_id DESC, item DESC) = 1;
CREATE OR REPLACE TABLE o_time AS
  WITH t AS (SELECT DISTINCT ts FROM plays), s AS (SELECT ts, make_timestamp(ts * 1000) AS st FROM t)
  SELECT ts * 1000 AS start_time,
    CAST(hour(st) AS INTEGER) AS hour, CAST(day(st) AS INTEGER) AS day,
    CAST(week(st) AS INTEGER) AS week, CAST(month(st) AS INTEGER) AS month,
    CAST(year(st) AS INTEGER) AS year, CAST(dayofweek(st) + 1 AS INTEGER) AS weekday
  FROM s;
CREATE OR REPLACE TABLE o_songplays AS
  WITH m AS (
    SELECT p.ts, p.user_id, p.session_id, p.item, p.level, p.location, p.user_agent,
           s.song_id, s.artist_id
    FROM plays p JOIN o_songs s
      ON p.song = s.title AND p.artist = s.artist_name AND p.length = s.duration
  )
  SELECT CAST(row_number() OVER (ORDER BY ts, user_id, session_id, item, song_id) AS BIGINT)
           AS songplay_id,
         ts * 1000 AS start_time, user_id, level, song_id, artist_id, session_id, location,
         user_agent,
         CAST(year(make_timestamp(ts * 1000)) AS INTEGER) AS year,
         CAST(month(make_timestamp(ts * 1000)) AS INTEGER) AS month
  FROM m;
CREATE OR REPLACE TABLE o_rejected AS
  SELECT key AS source, line, bad AS reason, txt AS raw, 'song_data' AS dataset, file_idx, pos
    FROM song_rec WHERE bad IS NOT NULL
  UNION ALL
  SELECT key, line, bad, txt, 'log_data', file_idx, pos FROM event_rec WHERE bad IS NOT NULL;
`;

/** Converts a DuckDB JS value to the canonical form used in comparisons. */
export function canon(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof Date) return BigInt(v.getTime()) * 1000n;
  throw new Error(`unexpected value type ${typeof v}: ${v}`);
}

/**
 * Computes every table from the input directory `root`. Returns
 * { tables: {name: {rows, partitionRows}}, rejected: [...], counts }, rows in key order; for
 * partitioned tables each row also carries its partition values in row.__part.
 */
export async function computeOracle(root, { input = loadInput(root) } = {}) {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await loadRaw(conn, input);
    await conn.run(SQL_PARSE);
    await conn.run(SQL_TABLES);
    const tables = {};
    for (const [name, t] of Object.entries(TABLES)) {
      const extra = t.partitionBy.filter((c) => !t.columns.includes(c));
      const cols = [...t.columns, ...extra];
      const reader = await conn.runAndReadAll(
        `SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM o_${name} ORDER BY "${t.key}"`,
      );
      const rows = reader.getRowsJS().map((r) => r.map(canon));
      tables[name] = rows.map((r) => {
        const row = r.slice(0, t.columns.length);
        row.__part = t.partitionBy.map((c) => r[cols.indexOf(c)]);
        return row;
      });
    }
    const rej = await conn.runAndReadAll(
      `SELECT source, line, reason, raw FROM o_rejected ORDER BY dataset DESC, file_idx, pos`,
    );
    const rejected = rej.getRowObjectsJS();
    return { tables, rejected, input };
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}
