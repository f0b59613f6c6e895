// The compaction case of make bench (issue 20): `lake distcp` merging the small song and event
// objects of the M data set on the test S3 into one object per song directory pair and per day,
// next to `rclone copy --transfers 64 --checkers 64` copying the same objects one for one (no
// merge), both from and to the same server; then `lake run` reading the compacted copy against
// the raw objects. The server is tests/e2e/lib/s3cluster.mjs (several s3rver workers checking
// SigV4, each request delayed by --latency-ms, 20 by default, to model the round trip to a remote
// store) on 127.0.0.1. Runs alternate lake distcp, rclone, lake run on raw, lake run on compacted,
// and `lake run --compact=s3://…` (both steps in one command, tables compared likewise).
// Target: lake's merge no slower than rclone's plain copy. The tables of the two lake runs are
// compared file by file (contents; names carry run ids), so the bench fails if compaction changed
// a row. The section "## Compaction case" of bench/RESULTS.md is replaced by the result (a copy
// is kept in CACHE/results/COMPACT/report.md).
//
// usage: node bench/compact_bench.mjs [--lake PATH] [--runs N] [--latency-ms MS] [--cache DIR]
//                                     [--results FILE] [--songs N --events M] [--server-workers N]
//        node bench/compact_bench.mjs --report-only   (re-insert the cached section)
// Environment: BENCH_THREADS (lake --threads, default nproc).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { startS3Cluster } from '../tests/e2e/lib/s3cluster.mjs';
import { backendList } from '../tests/e2e/lib/s3server.mjs';
import { upsertSection } from './results_section.mjs';
import { ensureTools, KEY_ID, lakeCommit, lakeStages, measure, median, RCLONE, rcloneConfig, readTimes, SECRET, version, benchOptions } from './s3_tools.mjs';

const args = process.argv.slice(2);
const { LAKE, RUNS, LATENCY, CACHE, THREADS, RESULTS, REPORT, SONGS, EVENTS, WORKERS } = benchOptions(args, 'COMPACT');
const HEADING = '## Compaction case';
// One output per song_data/X/Y/ directory pair and one per day of events, named so that the
// compacted keys sort as the objects they hold did (docs/distcp.md, "Output names").
const GROUP_BY = '.*/(song_data/[^/]+/[^/]+)/.*|.*/log_data/.*/(\\d{4}-\\d{2}-\\d{2}-events\\.json).*';

const log = (msg) => console.error(`bench compact: ${msg}`);
const die = (msg) => { throw new Error(msg); };
const f2 = (x) => x.toFixed(2);

if (args.includes('--report-only')) {
  if (existsSync(REPORT)) upsertSection(RESULTS, HEADING, readFileSync(REPORT, 'utf8'));
  process.exit(0);
}

/** Every Parquet file's contents under dir, by its directory (file names carry the run id). */
function tableDigest(dir) {
  const lines = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.parquet')) continue;
    const path = join(e.parentPath ?? e.path, e.name);
    lines.push(`${relative(dir, e.parentPath ?? e.path)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  }
  return { files: lines.length, digest: createHash('sha256').update(lines.sort().join('\n')).digest('hex') };
}

async function timed(name, i, cmd, s3) {
  const resDir = join(CACHE, 'results/COMPACT');
  const timeFile = join(resDir, `${name}-${i}.time`);
  const logFile = join(resDir, `${name}-${i}.log`);
  writeFileSync(join(resDir, `${name}-${i}.cmd`), cmd.join(' ') + '\n');
  const s0 = await s3.stats();
  const status = await measure(timeFile, logFile, cmd);
  const text = readFileSync(logFile, 'utf8');
  if (status !== 0) die(`${name} run ${i} failed (exit ${status}):\n${text.slice(-4000)}`);
  const s1 = await s3.stats();
  const t = readTimes(timeFile);
  const r = { wall: t.wall, cpu: t.user + t.sys, rss: t.maxrss_kb / 1024, requests: s1.requests - s0.requests, text };
  log(`${name} run ${i}: wall ${f2(r.wall)} s, cpu ${f2(r.cpu)} s, ${r.requests} requests`);
  return r;
}

async function main() {
  ensureTools(log);
  if (!existsSync(LAKE)) die(`no lake binary at ${LAKE} (make O=build/release build)`);
  const resDir = join(CACHE, 'results/COMPACT');
  const outDir = join(CACHE, 'out/COMPACT');
  for (const d of [resDir, outDir]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  const s3 = await startS3Cluster({ buckets: ['bench'], secrets: { [KEY_ID]: SECRET }, workers: WORKERS });
  try {
    const endpoint = s3.endpoint;
    const rcloneConf = join(resDir, 'rclone.conf');
    writeFileSync(rcloneConf, rcloneConfig(endpoint));
    const up = await measure(join(resDir, 'gen.time'), join(resDir, 'gen.log'),
      [LAKE, 'gen', 's3://bench/in', '--songs', String(SONGS), '--events', String(EVENTS), '--endpoint-url', endpoint]);
    if (up !== 0) die(`lake gen s3://bench/in failed:\n${readFileSync(join(resDir, 'gen.log'), 'utf8')}`);
    const objects = await backendList(s3, 'bench', 'in/');
    const bytes = objects.reduce((a, o) => a + o.size, 0);
    log(`${objects.length} objects, ${(bytes / 1e6).toFixed(1)} MB in s3://bench/in`);
    await s3.setLatency(LATENCY);
    const tools = {
      distcp: (i) => [LAKE, 'distcp', '--src', 's3://bench/in', '--dest', `s3://bench/compact-${i}`, '--groupBy', GROUP_BY,
        '--outputCodec', 'none', '--targetSize', '128', '--endpoint-url', endpoint],
      rclone: (i) => [RCLONE, '--config', rcloneConf, 'copy', '--transfers', '64', '--checkers', '64', 'bench:bench/in', `bench:bench/rclone-${i}`],
      raw: (i) => [LAKE, 'run', '--input', 's3://bench/in', '--output', join(outDir, `raw-${i}`), '--threads', String(THREADS), '--endpoint-url', endpoint],
      compacted: (i) => [LAKE, 'run', '--input', `s3://bench/compact-${i}`, '--output', join(outDir, `compacted-${i}`), '--threads', String(THREADS), '--endpoint-url', endpoint],
      oneshot: (i) => [LAKE, 'run', '--input', 's3://bench/in', '--output', join(outDir, `oneshot-${i}`), `--compact=s3://bench/staged-${i}`, '--threads', String(THREADS), '--endpoint-url', endpoint],
    };
    const results = { distcp: [], rclone: [], raw: [], compacted: [], oneshot: [] };
    let outObjects = 0;
    for (let i = 1; i <= RUNS; i++) {
      for (const [name, cmdOf] of Object.entries(tools)) {
        const r = await timed(name, i, cmdOf(i), s3);
        if (name === 'raw' || name === 'compacted') {
          const st = lakeStages(r.text);
          r.listRead = st.list + st.songs + st.events;
        }
        if (name === 'rclone') {
          const n = (await backendList(s3, 'bench', `rclone-${i}/`)).length;
          if (n !== objects.length) die(`rclone run ${i} copied ${n} of ${objects.length} objects`);
        }
        if (name === 'distcp') outObjects = (await backendList(s3, 'bench', `compact-${i}/`)).filter((o) => !o.key.includes('/_')).length;
        results[name].push(r);
      }
      const a = tableDigest(join(outDir, `raw-${i}`)), b = tableDigest(join(outDir, `compacted-${i}`));
      if (a.digest !== b.digest) die(`run ${i}: the tables from the compacted copy differ from those of the raw objects`);
      if (tableDigest(join(outDir, `oneshot-${i}`)).digest !== a.digest) die(`run ${i}: the tables of lake run --compact differ from those of the raw objects`);
      log(`run ${i}: the ${a.files} Parquet files of both runs are identical`);
    }
    return { results, nObjects: objects.length, bytes, outObjects, endpoint };
  } finally {
    await s3.stop();
  }
}

function report({ results, nObjects, bytes, outObjects }, host) {
  const med = (name, f) => median(results[name].map(f));
  const wall = (name) => med(name, (r) => r.wall);
  const row = (label, name, extra) =>
    `| ${label} | ${f2(wall(name))} s | ${f2(med(name, (r) => r.cpu))} s | ${Math.round(Math.max(...results[name].map((r) => r.rss)))} MiB | ` +
    `${results[name][results[name].length - 1].requests.toLocaleString('en-US')} | ${extra} |`;
  const ratio = wall('distcp') / wall('rclone');
  const readRatio = med('raw', (r) => r.listRead) / med('compacted', (r) => r.listRead);
  return [
    HEADING,
    '',
    `${nObjects.toLocaleString('en-US')} objects, ${(bytes / 1e6).toFixed(1)} MB (\`lake gen --songs ${SONGS} --events ${EVENTS}\`), on s3rver ` +
    `in ${WORKERS} worker processes (tests/e2e/lib/s3cluster.mjs: SigV4 checked, every request delayed by ${LATENCY} ms) on 127.0.0.1, ` +
    `sharing the ${host.cores} cores with the client. ${RUNS} runs, alternating; medians. ${host.date}, ${host.cpu}, lake ${host.lake}, ` +
    `${host.rclone}; load average before ${host.loadBefore}, after ${host.loadAfter}.`,
    '',
    '| step | wall | CPU | peak RSS | requests (last run) | notes |',
    '|---|---|---|---|---|---|',
    row('lake distcp --groupBy … --outputCodec none --targetSize 128', 'distcp',
      `${nObjects.toLocaleString('en-US')} objects merged into ${outObjects.toLocaleString('en-US')} (one per song_data/X/Y/ and per day), committed at once`),
    row('rclone copy --transfers 64 --checkers 64 (S3 to S3, no merge)', 'rclone', 'one copy per object'),
    row('lake run on the raw objects', 'raw', `list + read ${f2(med('raw', (r) => r.listRead))} s`),
    row('lake run on the compacted copy', 'compacted', `list + read ${f2(med('compacted', (r) => r.listRead))} s`),
    row('lake run --compact=s3://… (both in one command)', 'oneshot', 'the compaction (with its grouping, order kept) then the run on the copy'),
    '',
    `Target (the compaction issue): lake's merge no slower than rclone's plain copy: **${f2(ratio)}×** rclone's wall time — ` +
    `${ratio <= 1 ? 'met' : 'NOT met'}. Reading the compacted copy: list + read ${f2(readRatio)}× faster than the raw objects. ` +
    'The tables of the three runs are identical in every run (each Parquet file compared by content).',
    '',
  ].join('\n');
}

let exitCode = 0;
try {
  const host = {
    cpu: (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*: (.*)/) || [])[1],
    cores: cpus().length, lake: lakeCommit(), rclone: version(RCLONE, ['--version']),
    date: new Date().toISOString().slice(0, 16) + 'Z', loadBefore: loadavg().map((x) => x.toFixed(2)).join(' '),
  };
  const measured = await main();
  host.loadAfter = loadavg().map((x) => x.toFixed(2)).join(' ');
  const section = report(measured, host);
  writeFileSync(REPORT, section);
  upsertSection(RESULTS, HEADING, section);
  process.stdout.write(section);
} catch (e) {
  console.error(`bench compact: ${e.message}`);
  exitCode = 1;
}
process.exit(exitCode);
