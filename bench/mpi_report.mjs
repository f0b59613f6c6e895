// The MPI case of make bench (bench/run.sh measures it): the section "## MPI case" of
// bench/RESULTS.md from CACHE/results/MPI/, one line per shape (ranks x threads) with the median
// wall and CPU time of mpirun and all its ranks (GNU time, bench/measure.sh), the ratio to
// `-np 1 --threads 2`, and from lake's own summary (rank 0 prints one line per rank) the peak
// resident memory and the bytes each rank sent to the others, plus the slowest rank's stages.
//
// usage: node bench/mpi_report.mjs CACHE measured|report-only
//   report-only re-inserts the section kept from the last measured run (CACHE/results/MPI/report.md).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { upsertSection } from './results_section.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const [cacheArg, mode] = process.argv.slice(2);
const CACHE = resolve(cacheArg || join(root, 'bench/cache'));
const RES = join(CACHE, 'results/MPI');
const REPORT = join(RES, 'report.md');
const RESULTS = join(root, 'bench/RESULTS.md');
const SHAPES = [['np1-t2', '-np 1 --threads 2'], ['np2-t1', '-np 2 --threads 1'], ['np4-t1', '-np 4 --threads 1 (oversubscribed)']];


const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f2 = (x) => x.toFixed(2);

function parseTime(file) {
  const kv = Object.fromEntries(readFileSync(file, 'utf8').trim().split(/\s+/).map((p) => p.split('=')));
  return { wall: Number(kv.wall), cpu: Number(kv.user) + Number(kv.sys) };
}

// Rank lines of lake's summary: "  rank 0   123 records  4.5 MB read  678 rows written  9.1 MB sent  12.3 MB peak RSS  4.567s".
function parseRanks(log) {
  const re = /^ {2}rank (\d+) +(\d+) records +([\d.]+) MB read +(\d+) rows written +([\d.]+) MB sent +([\d.]+) MB peak RSS +([\d.]+)s$/;
  return log.split('\n').map((l) => re.exec(l)).filter(Boolean)
    .map((m) => ({ rank: Number(m[1]), sentMB: Number(m[5]), rssMB: Number(m[6]), wall: Number(m[7]) }));
}

function parseStages(log) {
  const m = /^ {2}time: (.*)$/m.exec(log);
  return m ? m[1] : '';
}

function section() {
  const host = Object.fromEntries(readFileSync(join(RES, 'host'), 'utf8').trim().split('\n').map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));
  const files = readdirSync(RES);
  const rows = [];
  let base = null;
  let stages = '';
  let ratio = null;
  for (const [shape, label] of SHAPES) {
    const runs = files.filter((f) => f.startsWith(`${shape}-`) && f.endsWith('.time')).map((f) => f.slice(0, -5));
    if (!runs.length) continue;
    const t = runs.map((r) => parseTime(join(RES, `${r}.time`)));
    const ranks = runs.map((r) => parseRanks(readFileSync(join(RES, `${r}.log`), 'utf8')));
    const wall = median(t.map((x) => x.wall));
    const cpu = median(t.map((x) => x.cpu));
    if (shape === 'np1-t2') base = wall;
    // Per rank: the median over runs of each rank's figure; shown as the range over the ranks.
    const np = Math.max(1, ...ranks.map((r) => r.length));
    const perRank = (k) => [...Array(np).keys()].map((rank) => median(ranks.map((rs) => rs.find((x) => x.rank === rank)?.[k] ?? 0)));
    const rss = np > 1 ? perRank('rssMB') : [];
    const sent = np > 1 ? perRank('sentMB') : [];
    const range = (xs) => (xs.length ? `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}` : '—');
    rows.push(`| \`${label}\` | ${f2(wall)} | ${f2(cpu)} | ${base ? f2(wall / base) : '—'} | ${range(rss)} | ${range(sent)} | ${runs.length} |`);
    if (shape === 'np2-t1') ratio = wall / base;
    if (shape === 'np2-t1') stages = parseStages(readFileSync(join(RES, `${runs[runs.length - 1]}.log`), 'utf8'));
  }
  return [
    '## MPI case',
    '',
    `L (100,000 songs, 3,000,000 events) through \`mpirun ... lake run\` on this machine (${host.cores} cores, ${host.cpu}),`,
    `shapes alternating, ${host.runs} runs each, ${host.date}, lake ${host.lake}. Wall and CPU: mpirun and every rank (GNU time);`,
    'per-rank figures from lake\'s summary (median over the runs of each rank, shown as the range over the ranks; the',
    '`-np 1` run takes the single-process path and prints no rank lines). Load average before/after:',
    `${host.loadavg} / ${host.loadavg_after}.`,
    '',
    '| shape | wall s (median) | CPU s (median) | wall vs `-np 1 --threads 2` | peak RSS per rank, MB | sent per rank, MB | runs |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    stages ? `Stages of the last \`-np 2 --threads 1\` run (slowest rank): ${stages}.` : '',
    '',
    ratio !== null ? `Target (the MPI issue): \`-np 2 --threads 1\` within 1.15× of \`-np 1 --threads 2\`: ` +
      `${ratio <= 1.15 ? 'met' : 'not met'} (${f2(ratio)}×).` : '',
    '',
  ].join('\n');
}

if (mode === 'measured') {
  const text = section();
  writeFileSync(REPORT, text);
  upsertSection(RESULTS, '## MPI case', text);
  process.stdout.write(text);
} else if (existsSync(REPORT)) {
  upsertSection(RESULTS, '## MPI case', readFileSync(REPORT, 'utf8'));
}
