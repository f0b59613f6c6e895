// Reads a Sparkify-shaped input directory into raw records, independently of lake: lists the
// objects, orders them as SPEC.md says ("object keys relative to the dataset root in byte-wise
// ascending order, then position inside the object"), decompresses .gz / .zst, and cuts each
// object into records with their 1-based starting line. The JSON inside a record is parsed later
// by DuckDB (see oracle.mjs); here we only find where records begin and end.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompressZstd } from 'hyparquet-compressors';

export const DATASETS = ['song_data', 'log_data'];

/** Every file under root as '/'-separated keys relative to root. */
export function listKeys(root, sub = '') {
  const out = [];
  for (const ent of readdirSync(join(root, sub), { withFileTypes: true })) {
    const key = sub ? `${sub}/${ent.name}` : ent.name;
    if (ent.isDirectory()) for (const k of listKeys(root, key)) out.push(k);
    else if (ent.isFile()) out.push(key);
  }
  return out;
}

export function byteCompare(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function isJsonObjectKey(key) {
  return /\.json(\.gz|\.zst)?$/.test(key);
}

/**
 * Hidden names, which are not input: a path component below the dataset root that starts with
 * '_' or '.' (_SUCCESS, _temporary/, .crc). The oracle follows the rule Spark's and Hadoop's
 * FileInputFormat apply, as lake does (docs/design.md, "Input hygiene").
 */
export function isHiddenKey(keyBelowDataset) {
  return keyBelowDataset.split('/').some((c) => c.startsWith('_') || c.startsWith('.'));
}

/** Keys of one dataset in input order (byte-wise on the key relative to the dataset root). */
export function datasetKeys(root, dataset) {
  let keys;
  try {
    keys = listKeys(root, dataset);
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  return keys
    .filter((k) => isJsonObjectKey(k) && !isHiddenKey(k.slice(dataset.length + 1)))
    .sort((a, b) => byteCompare(a.slice(dataset.length + 1), b.slice(dataset.length + 1)));
}

export function decompress(key, bytes) {
  if (key.endsWith('.gz')) return gunzipSync(bytes);
  if (key.endsWith('.zst')) return Buffer.from(decompressZstd(new Uint8Array(bytes)));
  return bytes;
}

const NL = 0x0a;
const isWs = (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** NDJSON: one record per non-blank line; a trailing CR is not part of the record. */
export function splitLines(buf) {
  const recs = [];
  let start = 0;
  let line = 1;
  while (start < buf.length) {
    let end = buf.indexOf(NL, start);
    if (end < 0) end = buf.length;
    let stop = end;
    if (stop > start && buf[stop - 1] === 0x0d) stop--;
    const slice = buf.subarray(start, stop);
    if (slice.some((c) => !isWs(c))) recs.push({ line, text: slice.toString('utf8') });
    start = end + 1;
    line++;
  }
  return recs;
}

/**
 * Concatenated / pretty-printed / one-per-line JSON values: finds each top-level value by
 * bracket depth outside strings. Anything unbalanced becomes one record holding the rest of the
 * object (it will fail to parse and is a bad record).
 */
export function splitValues(buf) {
  const recs = [];
  let i = 0;
  let line = 1;
  const n = buf.length;
  while (i < n) {
    while (i < n && isWs(buf[i])) {
      if (buf[i] === NL) line++;
      i++;
    }
    if (i >= n) break;
    const start = i;
    const startLine = line;
    let depth = 0;
    let inStr = false;
    let done = false;
    for (; i < n; i++) {
      const c = buf[i];
      if (c === NL) line++;
      if (inStr) {
        if (c === 0x5c) i++; // skip the escaped byte (never a newline in valid JSON)
        else if (c === 0x22) inStr = false;
        continue;
      }
      if (c === 0x22) inStr = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          i++;
          done = true;
          break;
        }
      } else if (depth === 0 && isWs(c)) {
        // a scalar at top level ends at whitespace
        done = true;
        break;
      }
    }
    recs.push({ line: startLine, text: buf.subarray(start, i).toString('utf8'), complete: done });
  }
  return recs;
}

/**
 * All records of an input root: { songs: [...], events: [...] }, each record
 * { key, fileIdx, pos, line, text } in input order.
 */
export function loadInput(root) {
  const out = { songs: [], events: [] };
  for (const [dataset, target, split] of [
    ['song_data', out.songs, splitValues],
    ['log_data', out.events, splitLines],
  ]) {
    datasetKeys(root, dataset).forEach((key, fileIdx) => {
      const bytes = decompress(key, readFileSync(join(root, key)));
      split(bytes).forEach((r, pos) => target.push({ key, fileIdx, pos, line: r.line, text: r.text }));
    });
  }
  return out;
}
