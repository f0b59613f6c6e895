// End-to-end: a compressed log is decompressed and parsed a chunk (8 MiB) at a time, cut only at
// newlines between records. The same bytes as a plain .json (parsed whole) and as .json.gz
// (streamed) must give byte-identical tables and the same rejected records with the same line
// numbers, with records of several lines, bad lines and a record that never closes placed around
// the chunk boundaries.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readRejected, snapshotDir } from './lib/output.mjs';
import { gen, run, tempDir } from './lib/lake.mjs';

const CHUNK = 8 << 20;

function logFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** One large NDJSON text from the generated logs, with awkward records near chunk boundaries. */
function buildLog(input) {
  const lines = [];
  for (const f of logFiles(join(input, 'log_data')))
    for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim()) lines.push(l);
  let bytes = 0;
  const out = [];
  let nextMark = CHUNK - 3000;
  let k = 0;
  for (const l of lines) {
    if (bytes >= nextMark) {
      const ev = JSON.parse(l);
      // a record spread over lines, a bad line, an empty line, then a record on one line
      out.push(JSON.stringify(ev, null, 2));
      out.push(k % 2 ? '{"page": "NextSong", "ts": "not a number"}' : 'not json at all {');
      out.push('');
      nextMark += CHUNK - 1500 + (k++ % 3) * 700;
      bytes += Buffer.byteLength(JSON.stringify(ev, null, 2)) + 60;
      continue;
    }
    // every fifth record over several lines, so that most newlines are inside records and a cut
    // that ignored nesting would split one
    const text = out.length % 5 === 0 ? JSON.stringify(JSON.parse(l), null, 2) : l;
    out.push(text);
    bytes += Buffer.byteLength(text) + 1;
  }
  // Near the end: a record that never closes, then more records (held whole from there on).
  out.splice(out.length - 50, 0, '{"artist": "Truncated", "page": "NextSong",');
  return out.join('\n') + '\n';
}

function tableFiles(snap) {
  const byName = {};
  for (const [rel, hash] of Object.entries(snap))
    if (!rel.startsWith('_rejected')) byName[rel.replace(/-[0-9a-f-]{36}-/, '-UUID-')] = hash;
  return byName;
}

describe('compressed logs parsed a chunk at a time', () => {
  let tmp;
  const outs = {};
  before(async () => {
    tmp = tempDir();
    const base = join(tmp.dir, 'gen');
    gen(base, { songs: 200, events: 70000, seed: 41, edgeCases: false });
    const text = buildLog(base);
    assert.ok(Buffer.byteLength(text) > 3 * CHUNK, `log of ${Buffer.byteLength(text)} bytes spans chunks`);
    for (const kind of ['plain', 'gz']) {
      const input = join(tmp.dir, `in-${kind}`);
      mkdirSync(join(input, 'log_data'), { recursive: true });
      // the songs are shared: copy the generated song files by symlink-free copy of the tree
      for (const f of walkFiles(join(base, 'song_data'))) {
        const dst = join(input, 'song_data', f.slice(join(base, 'song_data').length + 1));
        mkdirSync(join(dst, '..'), { recursive: true });
        writeFileSync(dst, readFileSync(f));
      }
      const name = join(input, 'log_data', kind === 'gz' ? 'events.json.gz' : 'events.json');
      writeFileSync(name, kind === 'gz' ? gzipSync(text) : text);
      const out = join(tmp.dir, `out-${kind}`);
      const r = run(input, out, ['--threads', '2']);
      assert.equal(r.status, 0, `${kind}: ${r.stderr}`);
      outs[kind] = out;
    }
  });
  after(() => tmp?.cleanup());

  test('the same tables, byte for byte', async () => {
    const a = tableFiles(await snapshotDir(outs.plain));
    const b = tableFiles(await snapshotDir(outs.gz));
    assert.ok(Object.keys(a).some((k) => k.startsWith('songplays/')), 'songplays written');
    assert.deepEqual(b, a);
  });

  test('the same rejected records, at the same lines', () => {
    const pick = (o) => readRejected(o).records.map(({ line, reason, raw }) => ({ line, reason, raw }))
      .sort((x, y) => x.line - y.line);
    const a = pick(outs.plain);
    const b = pick(outs.gz);
    assert.ok(a.length >= 4, `bad lines rejected (${a.length})`);
    assert.ok(a.some((r) => r.line > 2 * 20000), 'rejects beyond the first chunk');
    assert.deepEqual(b, a);
  });
});

function walkFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else out.push(p);
  }
  return out;
}
