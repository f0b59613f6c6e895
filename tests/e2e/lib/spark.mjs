// Spark's conventions for Hive-style partition directories and part-file names, written from
// SPEC.md ("Layout") and Spark's documented behaviour.

export const DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// Characters Spark's ExternalCatalogUtils.escapePathName turns into %XX.
const ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\x7f', '{', '[', ']', '^']);

function needsEscape(ch) {
  const c = ch.codePointAt(0);
  return (c >= 0x01 && c <= 0x1f) || ESCAPED.has(ch);
}

/** Escapes one partition value as Spark does; null or '' is the default partition. */
export function escapePartitionValue(v) {
  if (v === null || v === undefined) return DEFAULT_PARTITION;
  const s = String(v);
  if (s === '') return DEFAULT_PARTITION;
  let out = '';
  for (const ch of s) {
    out += needsEscape(ch) ? '%' + ch.codePointAt(0).toString(16).toUpperCase().padStart(2, '0') : ch;
  }
  return out;
}

/** Inverse of escapePartitionValue (%XX to the byte/char); the default partition gives null. */
export function unescapePartitionValue(s) {
  if (s === DEFAULT_PARTITION) return null;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** "year=1994/artist_id=AR..." for the given names and values. */
export function partitionDir(names, values) {
  return names.map((n, i) => `${n}=${escapePartitionValue(values[i])}`).join('/');
}

// Codec name -> the infix Spark (parquet-mr) puts before ".parquet".
export const CODEC_INFIX = {
  snappy: '.snappy',
  zstd: '.zstd',
  gzip: '.gz',
  lz4_raw: '.lz4raw',
  none: '',
};

// Parquet footer codec names DuckDB's parquet_metadata reports for each CLI codec.
export const CODEC_FOOTER = {
  snappy: 'SNAPPY',
  zstd: 'ZSTD',
  gzip: 'GZIP',
  lz4_raw: 'LZ4_RAW',
  none: 'UNCOMPRESSED',
};

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** RegExp for a data file name with the given codec; group 1 is the part number, 2 the uuid. */
export function partFileRegex(codec) {
  const infix = CODEC_INFIX[codec].replace(/\./g, '\\.');
  return new RegExp(`^part-(\\d{5})-(${UUID})-c000${infix}\\.parquet$`);
}
