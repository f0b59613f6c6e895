// Turns the raw results of bench/run.sh into the Markdown report (stdout): medians of the runs,
// lake/DuckDB ratios, lake's per-stage times and linearity figures, output sizes per table, row
// counts compared, JSON extraction throughput, and the issue's targets with measured values.
//
// usage: node bench/report.mjs [CACHE_DIR]    (default bench/cache)
// Reads CACHE/results/<size>/{host,<tool>-<i>.time,<tool>-<i>.log}, CACHE/data/<size>/.log_bytes,
// CACHE/out/<size>/<tool>-<last run>/ (its output) and CACHE/results/json_speed.txt.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const cache = process.argv[2] || 'bench/cache';
const SIZES = ['S', 'M', 'L', 'L2'];
const TABLES = ['songs', 'artists', 'users', 'time', 'songplays'];
const TOOLS = ['lake', 'duckdb'];
const GIB = 1024 ** 3;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const kv = (text) =>
  Object.fromEntries(text.trim().split(/\s+/).map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
const readKv = (file) =>
  Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));

function parseLake(log) {
  const r = { rows: {}, stages: {}, cpuStages: {} };
  let m = log.match(/: (\d+) song objects, (\d+) log objects, ([\d.]+) MB read/);
  if (m) Object.assign(r, { songObjects: +m[1], logObjects: +m[2], mbRead: +m[3] });
  m = log.match(/records: (\d+) songs, (\d+) events \((\d+) NextSong\), (\d+) bad/);
  if (m) Object.assign(r, { songRecords: +m[1], events: +m[2], nextSong: +m[3], bad: +m[4] });
  for (const t of TABLES) {
    m = log.match(new RegExp(`^\\s+${t}\\s+(\\d+) rows\\s+(\\d+) files`, 'm'));
    if (m) r.rows[t] = +m[1];
  }
  m = log.match(/time: (.*)/);
  if (m) for (const [, k, v] of m[1].matchAll(/(\w+) ([\d.]+)s/g)) r.stages[k] = +v;
  m = log.match(/cpu: (.*)/);
  if (m) for (const [, k, v] of m[1].matchAll(/(\w+) ([\d.]+)s/g)) r.cpuStages[k] = +v;
  return r;
}

function parseDuck(log) {
  const r = { rows: {}, stages: {} };
  for (const t of TABLES) {
    const m = log.match(new RegExp(`^\\s+${t}\\s+(\\d+) rows`, 'm'));
    if (m) r.rows[t] = +m[1];
  }
  const m = log.match(/time: (.*)/);
  if (m) for (const [, k, v] of m[1].matchAll(/([a-z ]+?) ([\d.]+)s/g)) r.stages[k.trim()] = +v;
  return r;
}

/** Bytes and number of .parquet files under dir (recursively). */
function parquetBytes(dir) {
  let bytes = 0;
  let files = 0;
  if (!existsSync(dir)) return null;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) {
      bytes += statSync(join(e.parentPath ?? e.path, e.name)).size;
      files++;
    }
  }
  return { bytes, files };
}

function loadSize(size) {
  const dir = join(cache, 'results', size);
  if (!existsSync(join(dir, 'host'))) return null;
  const host = readKv(join(dir, 'host'));
  const res = { size, host, tools: {} };
  for (const tool of TOOLS) {
    const runs = [];
    for (const f of readdirSync(dir).filter((x) => x.startsWith(`${tool}-`) && x.endsWith('.time'))) {
      const base = join(dir, f.slice(0, -5));
      const t = kv(readFileSync(`${base}.time`, 'utf8'));
      const log = readFileSync(`${base}.log`, 'utf8');
      runs.push({ ...t, cpu: t.user + t.sys, parsed: tool === 'lake' ? parseLake(log) : parseDuck(log),
        cmd: existsSync(`${base}.cmd`) ? readFileSync(`${base}.cmd`, 'utf8').trim() : '' });
    }
    if (!runs.length) continue;
    const stages = {};
    for (const k of Object.keys(runs[0].parsed.stages)) stages[k] = median(runs.map((r) => r.parsed.stages[k]));
    // Per stage, the median over runs of CPU / wall (lake prints both per stage).
    const busy = {};
    for (const k of Object.keys(runs[0].parsed.cpuStages || {}))
      busy[k] = median(runs.map((r) => r.parsed.cpuStages[k] / r.parsed.stages[k]));
    res.tools[tool] = {
      runs,
      wall: median(runs.map((r) => r.wall)),
      cpu: median(runs.map((r) => r.cpu)),
      rss: median(runs.map((r) => r.maxrss_kb * 1024)),
      rssMax: Math.max(...runs.map((r) => r.maxrss_kb * 1024)),
      stages,
      busy,
      last: runs.at(-1).parsed,
      cmd: runs[0].cmd,
      sizes: Object.fromEntries(TABLES.map((t) =>
        [t, parquetBytes(join(cache, 'out', size, `${tool}-${runs.length}`, t))])),
    };
  }
  const cmp = join(dir, 'compare.txt');
  if (existsSync(cmp)) {
    res.compare = Object.fromEntries(readFileSync(cmp, 'utf8').trim().split('\n')
      .map((l) => l.split(' ')).map(([t, x, y]) => [t, [Number(x), Number(y)]]));
  }
  const lb = join(cache, 'data', size, '.log_bytes');
  res.logBytes = existsSync(lb) ? Number(readFileSync(lb, 'utf8')) : NaN;
  return res;
}

const results = SIZES.map(loadSize).filter(Boolean);
if (!results.length) {
  console.error('report: no results under', cache);
  process.exit(1);
}

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const secs = (x) => (Number.isFinite(x) ? (x < 1 ? x.toFixed(3) : x.toFixed(2)) + ' s' : '—');
const mib = (b) => (Number.isFinite(b) ? (b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0) + ' MiB' : '—');
const int = (n) => (Number.isFinite(n) ? n.toLocaleString('en-US') : '—');
const out = [];
const p = (s = '') => out.push(s);

const h = results[0].host;
p('# lake vs DuckDB (`make bench`)');
p();
p(`Machine: ${h.cpu}, ${h.cores} cores, ${h.mem_gib} GiB RAM, Linux ${h.kernel}. ` +
  `lake ${h.lake}, DuckDB ${h.duckdb} (@duckdb/node-api), ${h.threads} threads for both.`);
p();
p(`Local files, warm page cache (the input is read again before every run; ${h.caches || 'caches not dropped'}). ` +
  'Every run writes a new directory, and nothing is deleted from the first run to the last nor in the ' +
  '6 minutes before it (ext4 without a journal makes file creation slow for minutes after a mass ' +
  'deletion; bench/run.sh, "Old outputs"). Runs alternate lake, DuckDB, lake, DuckDB …; figures are medians. Wall time is the ' +
  'whole process (for DuckDB: `node` starting, loading DuckDB, running the SQL); CPU is user+sys of ' +
  'the process; peak RSS is GNU time\'s maxrss (for DuckDB it includes Node, about 50 MiB).');
p();
for (const r of results) {
  p(`- ${r.size}: ${r.host.date}, load average before ${r.host.loadavg}, after ${r.host.loadavg_after ?? '?'}`);
}
p();

p('## Wall time, CPU and memory');
p();
p('| size | input | runs | lake wall | DuckDB wall | DuckDB / lake | lake CPU | DuckDB CPU | lake CPU / wall | DuckDB CPU / wall | lake peak RSS | DuckDB peak RSS |');
p('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const l = r.tools.lake;
  const d = r.tools.duckdb;
  if (!l || !d) continue;
  const lp = l.last;
  const input = `${int(lp.songObjects)} song files, ${int(lp.events)} events, ${f(lp.mbRead, 1)} MB`;
  p(`| ${r.size} | ${input} | ${l.runs.length}+${d.runs.length} | ${secs(l.wall)} | ${secs(d.wall)} | ` +
    `**${f(d.wall / l.wall, 1)}×** | ${secs(l.cpu)} | ${secs(d.cpu)} | ${f(l.cpu / l.wall)} | ` +
    `${f(d.cpu / d.wall)} | ${mib(l.rssMax)} | ${mib(d.rssMax)} |`);
}
p();
p('Peak RSS is the largest of the runs. Ratios > 1 mean lake is faster.');
p();

// ---- lake stages and linearity ----
p('## lake per stage (median seconds) and cost per unit of input');
p();
p('| size | list | songs | events | transform | write | commit | total | events s per 1M events | list+songs s per 1k song files | events stage GB/s per thread | peak RSS |');
p('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const l = r.tools.lake;
  if (!l) continue;
  const s = l.stages;
  const lp = l.last;
  const perM = s.events / (lp.events / 1e6);
  const perK = (s.list + s.songs) / (lp.songObjects / 1e3);
  const gbps = r.logBytes / s.events / 1e9 / Number(r.host.threads);
  p(`| ${r.size} | ${f(s.list, 3)} | ${f(s.songs, 3)} | ${f(s.events, 3)} | ${f(s.transform, 3)} | ` +
    `${f(s.write, 3)} | ${f(s.commit, 3)} | ${f(s.total, 3)} | ${f(perM, 3)} | ${f(perK, 4)} | ` +
    `${f(gbps, 3)} | ${mib(l.rssMax)} |`);
}
p();
if (results.some((r) => Object.keys(r.tools.lake?.busy || {}).length)) {
  p('lake CPU / wall per stage (median over runs; CPU is user + system of all threads, so 2.00 means both cores busy):');
  p();
  p('| size | list | songs | events (parse) | transform | write (encode) | total |');
  p('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const b = r.tools.lake?.busy;
    if (!b || !Object.keys(b).length) continue;
    p(`| ${r.size} | ${f(b.list)} | ${f(b.songs)} | ${f(b.events)} | ${f(b.transform)} | ${f(b.write)} | ${f(b.total)} |`);
  }
  p();
}
p('"events stage GB/s per thread" = uncompressed event-log bytes / events-stage time / threads; the ' +
  'stage also reads and decompresses the files and builds the per-user, per-timestamp and songplay ' +
  'state, so it is a lower bound on the extraction speed.');
p();

const duckStages = results.filter((r) => r.tools.duckdb).map((r) =>
  `- ${r.size}: ${Object.entries(r.tools.duckdb.stages).map(([k, v]) => `${k} ${f(v, 3)}`).join(', ')}`);
if (duckStages.length) {
  p('DuckDB per step (median seconds):');
  p();
  for (const l of duckStages) p(l);
  p();
}

// ---- JSON ----
const js = join(cache, 'results', 'json_speed.txt');
let json = null;
if (existsSync(js)) {
  const lines = readFileSync(js, 'utf8').trim().split('\n');
  const src = (lines.find((l) => l.startsWith('source=')) || 'source=?').slice(7);
  json = { src, runs: lines.filter((l) => l.startsWith('json_speed')).map((l) => kv(l.slice(11))) };
  p('## JSON extraction (bench/json_speed.c)');
  p();
  p(`lj_extract with the 14 event fields lake asks for, over the plain .json event logs of ${json.src} ` +
    'held in memory (no I/O, no decompression), callbacks only count records:');
  p();
  p('| threads | GB/s | GB/s per thread | records |');
  p('|---|---|---|---|');
  for (const j of json.runs) p(`| ${j.threads} | ${f(j.gbps)} | ${f(j.gbps_per_thread)} | ${int(j.records)} |`);
  p();
}

// ---- sizes ----
for (const r of results.filter((x) => x.tools.lake && x.tools.duckdb && (x.size === 'L' || x.size === 'L2'))) {
  p(`## Output size per table at ${r.size} (snappy)`);
  p();
  p('| table | rows | lake | DuckDB | lake / DuckDB | lake files | DuckDB files |');
  p('|---|---|---|---|---|---|---|');
  for (const t of TABLES) {
    const a = r.tools.lake.sizes[t];
    const b = r.tools.duckdb.sizes[t];
    p(`| ${t} | ${int(r.tools.lake.last.rows[t])} | ${mib(a?.bytes)} | ${mib(b?.bytes)} | ` +
      `${a && b ? f(a.bytes / b.bytes, 3) : '—'} | ${int(a?.files)} | ${int(b?.files)} |`);
  }
  p();
}

// ---- row counts ----
p('## Row counts, lake vs DuckDB (last run)');
p();
p('"same rows": bench/compare.mjs read both outputs back with DuckDB and found no row of either ' +
  'missing from the other (EXCEPT ALL over every column, partition values included).');
p();
p(`| size | ${TABLES.join(' | ')} | counts equal | same rows |`);
p(`|---|${TABLES.map(() => '---').join('|')}|---|---|`);
for (const r of results.filter((x) => x.tools.lake && x.tools.duckdb)) {
  const a = r.tools.lake.last.rows;
  const b = r.tools.duckdb.last.rows;
  const cells = TABLES.map((t) => (a[t] === b[t] ? int(a[t]) : `${int(a[t])} ≠ ${int(b[t])}`));
  const same = !r.compare ? '—' : TABLES.every((t) => r.compare[t]?.[0] === 0 && r.compare[t]?.[1] === 0)
    ? 'yes' : '**no**: ' + TABLES.filter((t) => r.compare[t]?.[0] || r.compare[t]?.[1])
      .map((t) => `${t} ${r.compare[t][0]}/${r.compare[t][1]}`).join(', ');
  p(`| ${r.size} | ${cells.join(' | ')} | ${TABLES.every((t) => a[t] === b[t]) ? 'yes' : '**no**'} | ${same} |`);
}
p();

// ---- targets ----
const by = Object.fromEntries(results.map((r) => [r.size, r]));
const ratio = (s) => (by[s]?.tools.lake && by[s]?.tools.duckdb ? by[s].tools.duckdb.wall / by[s].tools.lake.wall : NaN);
const verdict = (ok) => (ok === null ? '—' : ok ? 'met' : '**missed**');
const rows = [];
if (by.M) rows.push(['M: lake ≥ 10× faster than DuckDB', `${f(ratio('M'), 1)}×`, verdict(ratio('M') >= 10)]);
if (by.L) {
  rows.push(['L: lake ≥ 4× faster than DuckDB', `${f(ratio('L'), 1)}×`, verdict(ratio('L') >= 4)]);
  const rss = by.L.tools.lake?.rssMax;
  rows.push(['L: lake peak RSS ≤ 1 GiB', mib(rss), verdict(rss <= GIB)]);
  const l = by.L.tools.lake;
  const nt = Number(by.L.host.threads);
  if (l.busy && l.busy.events !== undefined) {
    const parse = l.busy.events, encode = l.busy.write;
    rows.push([`Both cores busy during parse and encode (lake CPU / wall of the events and write stages at L, ≥ ${f(0.9 * nt)})`,
      `${f(parse)} and ${f(encode)} of ${nt}`, verdict(Math.min(parse, encode) >= 0.9 * nt)]);
  }
  rows.push(['lake CPU / wall at L, whole run (informative)', `${f(l.cpu / l.wall)} of ${nt}`, '—']);
  // Sizes are read from the outputs, which a later bench of other sizes may have removed.
  const size = (tool, t) => by.L.tools[tool]?.sizes?.[t]?.bytes;
  if (TABLES.every((t) => size('lake', t) && size('duckdb', t))) {
    const worst = Math.max(...TABLES.map((t) => size('lake', t) / size('duckdb', t)));
    rows.push(['L: each table ≤ 1.1 × DuckDB\'s size (snappy)', `worst ${f(worst, 3)}`, verdict(worst <= 1.1)]);
  }
}
if (json) {
  const one = json.runs.find((j) => j.threads === 1);
  rows.push(['JSON extraction ≥ 1 GB/s per core', `${f(one?.gbps)} GB/s on 1 thread` +
    (json.runs.length > 1 ? `, ${f(json.runs.at(-1).gbps_per_thread)} per thread on ${json.runs.at(-1).threads}` : ''),
  verdict(one ? one.gbps >= 1 : null)]);
}
if (by.L?.tools.lake && by.L2?.tools.lake) {
  const a = by.L.tools.lake;
  const b = by.L2.tools.lake;
  const perA = a.stages.events / a.last.events * 1e6;
  const perB = b.stages.events / b.last.events * 1e6;
  rows.push(['Linear: events s per 1M events, L vs 2×L', `${f(perA, 3)} vs ${f(perB, 3)}`, verdict(perB <= 1.15 * perA)]);
  // The per-key state is what the issue lets grow: 8 bytes per distinct timestamp (the time
  // table's keys, held once) and a user's record, hints and index slot (under 256 bytes) on
  // each worker that saw the user. What is left of the growth must stay within 5 % of L's peak
  // (peak RSS varies by about 2 % between runs of the same size). Both sizes use the median
  // peak over their runs, so 5 runs at L are not compared by their maximum with 3 runs at 2×L.
  const keyBytes = (r) => r.last.rows.time * 8 + r.last.rows.users * 256 * Number(by.L.host.threads);
  const keyGrowth = keyBytes(b) - keyBytes(a);
  const rest = b.rss - a.rss - keyGrowth;
  rows.push(['Memory flat in event count beyond the per-key state: median peak RSS growth L → 2×L ' +
    'less the per-key state\'s growth (8 B per distinct timestamp, 256 B per user and thread), ≤ 5 % of L\'s peak',
  `${mib(a.rss)} → ${mib(b.rss)} (${f(b.rss / a.rss)}×); per-key state +${mib(keyGrowth)}; ` +
    `rest ${rest < 0 ? '−' : '+'}${mib(Math.abs(rest))} (${f(100 * rest / a.rss, 1)} %)`, verdict(rest <= 0.05 * a.rss)]);
}
if (rows.length) {
  p('## Targets');
  p();
  p('| target | measured | |');
  p('|---|---|---|');
  for (const r of rows) p(`| ${r.join(' | ')} |`);
  p();
}

p('Commands (each run writes to a fresh output directory, `sync` before each):');
p();
for (const r of results.slice(0, 1)) {
  for (const tool of TOOLS) if (r.tools[tool]) p(`- \`${r.tools[tool].cmd}\``);
}
p('- each wrapped in `bench/measure.sh` (GNU time for CPU and peak RSS, bash clock for wall).');
console.log(out.join('\n'));
