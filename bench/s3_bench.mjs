// The S3 case of make bench: lake reading its input from S3 next to `aws s3 cp --recursive`
// (Debian's awscli) and `rclone copy --transfers 64 --checkers 64` (Debian's rclone) copying the
// same objects, all against the same test S3 on 127.0.0.1: tests/e2e/lib/s3cluster.mjs, several
// s3rver worker processes on one directory (node:cluster shares the port), each checking SigV4
// signatures like tests/e2e/lib/s3server.mjs and adding a fixed delay to every request to model
// the round trip to a remote store. One s3rver process saturated at ~1,000 requests/s, which made
// every client server-bound. Only 127.0.0.1 is ever contacted.
//
// Data: `lake gen s3://bench/in --songs 15000 --events 8000` (the M data set: ~14,300 song
// objects in ~10,400 A/B/C directories, ~34 event objects), uploaded without the delay.
// Runs alternate lake, aws, rclone, lake, ...; each writes to a fresh local directory. lake's
// figures: "list+read" = its list + songs + events stages (listing, fetching and parsing every
// object; the songs and events stages overlap fetching with parsing), and the wall time of the
// whole run (which also builds and writes the tables to local disk). The copy tools' figure is
// their wall time. The section "S3 case" of bench/RESULTS.md is replaced by the result (a copy is
// kept in CACHE/results/S3/report.md).
//
// usage: node bench/s3_bench.mjs [--lake PATH] [--runs N] [--latency-ms MS] [--cache DIR]
//                                [--results FILE] [--songs N --events M]   (for trying it out)
//                                [--server-workers N (default 3)] [--tools lake,aws,rclone]
//        node bench/s3_bench.mjs --report-only     (re-insert the cached section into RESULTS.md)
// Per run it logs the wall and CPU time of the tool, the CPU time of the server processes, and
// the requests and TCP connections the server saw.
// Environment: BENCH_THREADS (lake --threads, default nproc).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startS3Cluster } from '../tests/e2e/lib/s3cluster.mjs';
import { backendList } from '../tests/e2e/lib/s3server.mjs';
import { upsertSection } from './results_section.mjs';
import { AWS, RCLONE, countFiles, ensureTools, KEY_ID, lakeCommit, lakeStages, measure, median, rcloneConfig, readTimes, SECRET, version, benchOptions } from './s3_tools.mjs';

const args = process.argv.slice(2);
const { opt, LAKE, RUNS, LATENCY, CACHE, THREADS, RESULTS, REPORT, SONGS, EVENTS, WORKERS } = benchOptions(args, 'S3');
const ONLY = opt('--tools', 'lake,aws,rclone,lake128').split(',');

const die = (msg) => { throw new Error(msg); };
const log = (msg) => console.error(`bench s3: ${msg}`);


if (args.includes('--report-only')) {
  if (existsSync(REPORT)) upsertSection(RESULTS, '## S3 case', readFileSync(REPORT, 'utf8'));
  process.exit(0);
}

// Why the ratio is what it is, from the measured request counts and times in the server: a client
// with `slots` requests always in flight needs requests × time per request / slots.
function inFlightNote(results, latency) {
  const last = (tool) => results[tool][results[tool].length - 1];
  const med = (tool, f) => median(results[tool].map(f));
  const busy = (tool, slots) => (last(tool).requests * med(tool, (r) => r.residenceMs)) / slots / 1000;
  const floor = (tool, slots) => (last(tool).requests * latency) / slots / 1000;
  const f1 = (x) => x.toFixed(1);
  return `Requests in flight explain the figures: lake's ${last('lake').requests.toLocaleString('en-US')} requests × ` +
    `${f1(med('lake', (r) => r.residenceMs))} ms in the server / 64 slots = ${f1(busy('lake', 64))} s against its list + read of ` +
    `${f1(med('lake', (r) => r.listRead))} s: it keeps its 64 requests in flight and waits on the server. rclone's ` +
    `${last('rclone').requests.toLocaleString('en-US')} requests (one listing per directory) × ${f1(med('rclone', (r) => r.residenceMs))} ms / 128 = ` +
    `${f1(busy('rclone', 128))} s of its ${f1(med('rclone', (r) => r.wall))} s. With a server that answered in exactly ` +
    `${latency} ms, lake at 64 in flight could not go below ${f1(floor('lake', 64))} s and rclone at 128 in flight ` +
    `${f1(floor('rclone', 128))} s: lake's lead comes from needing fewer requests and from rclone's own overhead ` +
    '(directory walk, CPU), not from a higher request rate, so 2× is out of reach at the default of 64 requests in flight ' +
    'against a client allowed 128.';
}

try {
  ensureTools(log);
  if (!existsSync(LAKE)) die(`no lake binary at ${LAKE} (make O=build/release build)`);
} catch (e) {
  console.error(`bench s3: ${e.message}`);
  process.exit(1);
}
const resDir = join(CACHE, 'results/S3');
const outDir = join(CACHE, 'out/S3');
rmSync(resDir, { recursive: true, force: true });
rmSync(outDir, { recursive: true, force: true });
mkdirSync(resDir, { recursive: true });
mkdirSync(outDir, { recursive: true });

const s3 = await startS3Cluster({ buckets: ['bench'], secrets: { [KEY_ID]: SECRET }, workers: WORKERS });
let exitCode = 0;
try {
  const endpoint = s3.endpoint;
  const rcloneConf = join(resDir, 'rclone.conf');
  writeFileSync(rcloneConf, rcloneConfig(endpoint));

  log(`uploading ${SONGS} songs, ${EVENTS} events to s3://bench/in on ${endpoint}`);
  const t0 = performance.now();
  const up = await measure(join(resDir, 'gen.time'), join(resDir, 'gen.log'),
    [LAKE, 'gen', 's3://bench/in', '--songs', String(SONGS), '--events', String(EVENTS), '--endpoint-url', endpoint]);
  if (up !== 0) die(`lake gen s3://bench/in failed:\n${readFileSync(join(resDir, 'gen.log'), 'utf8')}`);
  const uploadS = (performance.now() - t0) / 1000;
  const objects = await backendList(s3, 'bench', 'in/');
  const nObjects = objects.length;
  const nSong = objects.filter((o) => o.key.startsWith('in/song_data/')).length;
  const nLog = objects.filter((o) => o.key.startsWith('in/log_data/')).length;
  const bytes = objects.reduce((a, o) => a + o.size, 0);
  const dirs = new Set(objects.map((o) => o.key.slice(0, o.key.lastIndexOf('/')))).size;
  log(`${nObjects} objects (${nSong} under song_data/, ${nLog} under log_data/), ${(bytes / 1e6).toFixed(1)} MB, uploaded in ${uploadS.toFixed(1)} s`);

  const tools = {
    lake: (out) => [LAKE, 'run', '--input', 's3://bench/in', '--output', out, '--threads', String(THREADS), '--endpoint-url', endpoint],
    aws: (out) => [AWS, '--endpoint-url', endpoint, 's3', 'cp', '--recursive', '--only-show-errors', 's3://bench/in', out],
    rclone: (out) => [RCLONE, '--config', rcloneConf, 'copy', '--transfers', '64', '--checkers', '64', 'bench:bench/in', out],
    // For reference: lake with as many requests in flight as rclone's 64 transfers + 64 checkers.
    lake128: (out) => [...tools.lake(out), '--max-concurrency', '128'],
  };
  const host = {
    cpu: (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*: (.*)/) || [])[1],
    cores: cpus().length,
    lake: lakeCommit(),
    aws: version(AWS, ['--version']),
    rclone: version(RCLONE, ['--version']),
    date: new Date().toISOString().slice(0, 16) + 'Z',
    loadBefore: loadavg().map((x) => x.toFixed(2)).join(' '),
  };

  await s3.setLatency(LATENCY);
  const results = { lake: [], aws: [], rclone: [], lake128: [] };
  for (let i = 1; i <= RUNS; i++) {
    for (const [tool, cmdOf] of Object.entries(tools).filter(([t]) => ONLY.includes(t))) {
      const out = join(outDir, `${tool}-${i}`);
      const timeFile = join(resDir, `${tool}-${i}.time`);
      const logFile = join(resDir, `${tool}-${i}.log`);
      const cmd = cmdOf(out);
      writeFileSync(join(resDir, `${tool}-${i}.cmd`), cmd.join(' ') + '\n');
      const s0 = await s3.stats();
      const status = await measure(timeFile, logFile, cmd);
      const text = readFileSync(logFile, 'utf8');
      if (status !== 0) die(`${tool} run ${i} failed (exit ${status}):\n${text.slice(-4000)}`);
      const t = readTimes(timeFile);
      const s1 = await s3.stats();
      const r = { wall: t.wall, cpu: t.user + t.sys, rss: t.maxrss_kb / 1024, requests: s1.requests - s0.requests,
        lists: s1.lists - s0.lists, connections: s1.connections - s0.connections, serverCpu: s1.cpu - s0.cpu,
        residenceMs: (s1.residenceMs - s0.residenceMs) / Math.max(1, s1.requests - s0.requests), byMethod: {} };
      for (const [k, v] of Object.entries(s1.byMethod)) r.byMethod[k] = v - (s0.byMethod[k] || 0);
      if (tool.startsWith('lake')) {
        const m = text.match(/: (\d+) song objects, (\d+) log objects/);
        if (!m || Number(m[1]) + Number(m[2]) < nSong + nLog - 50) die(`lake run ${i} read too few objects:\n${text}`);
        const st = lakeStages(text);
        r.stages = st;
        r.listRead = st.list + st.songs + st.events;
      } else {
        const n = countFiles(out);
        if (n !== nObjects) die(`${tool} run ${i} copied ${n} of ${nObjects} objects`);
      }
      results[tool].push(r);
      log(`${tool} run ${i}: wall ${r.wall.toFixed(2)} s, cpu ${r.cpu.toFixed(2)} s, server cpu ${r.serverCpu.toFixed(2)} s${r.listRead !== undefined ? `, list+read ${r.listRead.toFixed(2)} s` : ''}, ${r.requests} requests (${r.lists} lists) on ${r.connections} connections, ${r.residenceMs.toFixed(1)} ms per request in the server`);
    }
  }
  host.loadAfter = loadavg().map((x) => x.toFixed(2)).join(' ');

  // ---- report -----------------------------------------------------------------------------------
  if (!['lake', 'aws', 'rclone', 'lake128'].every((t) => ONLY.includes(t))) { log('--tools given: no report'); throw new Error('partial run, RESULTS.md not updated'); }
  const med = (tool, f) => median(results[tool].map(f));
  const f2 = (x) => x.toFixed(2);
  const lakeListRead = med('lake', (r) => r.listRead);
  const lakeWall = med('lake', (r) => r.wall);
  const lake128ListRead = med('lake128', (r) => r.listRead);
  const awsWall = med('aws', (r) => r.wall);
  const rcloneWall = med('rclone', (r) => r.wall);
  const best = Math.min(awsWall, rcloneWall);
  const bestName = awsWall <= rcloneWall ? 'aws s3 cp' : 'rclone copy';
  const stage = (k) => f2(med('lake', (r) => r.stages[k]));
  const reqs = (tool) => {
    const r = results[tool][results[tool].length - 1];
    return `${r.requests.toLocaleString('en-US')} (${r.lists.toLocaleString('en-US')} listings)`;
  };
  const row = (name, tool, wallish, extra) =>
    `| ${name} | ${f2(wallish)} s | ${f2(med(tool, (r) => r.wall))} s | ${f2(med(tool, (r) => r.cpu))} s | ` +
    `${f2(med(tool, (r) => r.serverCpu))} s | ${med(tool, (r) => r.residenceMs).toFixed(1)} ms | ${Math.round(Math.max(...results[tool].map((r) => r.rss)))} MiB | ${reqs(tool)} | ` +
    `${results[tool][results[tool].length - 1].connections.toLocaleString('en-US')} | ${extra} |`;
  const goal = best / lakeListRead;
  const section = [
    '## S3 case',
    '',
    `${nObjects.toLocaleString('en-US')} objects (${nSong.toLocaleString('en-US')} song objects in ${dirs.toLocaleString('en-US')} directories, ${nLog} event objects; ` +
    `\`lake gen --songs ${SONGS} --events ${EVENTS}\`), ${(bytes / 1e6).toFixed(1)} MB, on s3rver 3.7.1 in ${WORKERS} worker ` +
    `processes (tests/e2e/lib/s3cluster.mjs: SigV4 checked, every request delayed by ${LATENCY} ms to model the round trip ` +
    `to a remote store) on 127.0.0.1, sharing the same ${host.cores} cores with the client. ` +
    `${RUNS} runs per tool, alternating; medians. ${host.date}, ${host.cpu}, lake ${host.lake}, ${host.aws}, ${host.rclone}; ` +
    `load average before ${host.loadBefore}, after ${host.loadAfter}.`,
    '',
    '| tool | list + read | wall | CPU | server CPU | time in server per request | peak RSS | requests (last run) | connections | notes |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row('lake run (output local)', 'lake', lakeListRead,
      `list+read = stages list ${stage('list')} + songs ${stage('songs')} + events ${stage('events')} s; wall adds transform ${stage('transform')} + write ${stage('write')} s of the local Parquet files; --threads ${THREADS}`),
    row('aws s3 cp --recursive', 'aws', awsWall, 'default settings (10 concurrent requests)'),
    row('rclone copy --transfers 64 --checkers 64', 'rclone', rcloneWall, ''),
    row('lake run --max-concurrency 128', 'lake128', lake128ListRead, 'as many requests in flight as rclone\'s 64 transfers + 64 checkers (reference only)'),
    '',
    'Server CPU is the CPU time of the server processes during the run; time in server per request is from the request\'s ' +
    `arrival to its reply, the ${LATENCY} ms delay included (the rest is queueing and s3rver's work).`,
    '',
    `Goal: lake's list + read at least 2× faster than the faster copy tool (${bestName}, ${f2(best)} s): ` +
    `**${f2(goal)}×** on list + read, ${f2(best / lakeWall)}× on lake's whole run — goal ${goal >= 2 ? 'met' : 'NOT met'}. ` +
    `With --max-concurrency 128: ${f2(best / lake128ListRead)}× on list + read.`,
    '',
    inFlightNote(results, LATENCY),
    '',
  ].join('\n');
  mkdirSync(resDir, { recursive: true });
  writeFileSync(REPORT, section);
  writeFileSync(join(resDir, 'results.json'), JSON.stringify({ host, nObjects, nSong, nLog, bytes, uploadS, results }, null, 1));
  upsertSection(RESULTS, '## S3 case', section);
  process.stdout.write(section);
} catch (e) {
  console.error(`bench s3: ${e.message}`);
  exitCode = 1;
} finally {
  await s3.stop();
  // Only the last run's outputs stay (like bench/run.sh); the next invocation removes them.
  for (let i = 1; i < RUNS; i++) for (const t of ['lake', 'aws', 'rclone']) rmSync(join(outDir, `${t}-${i}`), { recursive: true, force: true });
}
process.exit(exitCode);
