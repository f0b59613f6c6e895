// What the S3 benches (bench/s3_bench.mjs, bench/compact_bench.mjs) share: the test credentials,
// the Debian copy tools (installed when missing), an environment that points every tool at the
// test S3 only, timed runs through bench/measure.sh, and medians.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(new URL('..', import.meta.url).pathname);
export const KEY_ID = 'AKIALAKEBENCHKEY0001';
export const SECRET = 'lake-bench-secret/0123456789abcdefghij';
export const AWS = '/usr/bin/aws'; // the Debian package, not some other aws earlier in PATH
export const RCLONE = '/usr/bin/rclone';

/**
 * The options both benches take (--lake, --runs, --latency-ms, --cache, --results, --songs,
 * --events, --server-workers) and BENCH_THREADS; `opt` reads a bench's own options. The report
 * of case NAME is kept in CACHE/results/NAME/report.md.
 */
export function benchOptions(args, name) {
  const opt = (flag, def) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : def;
  };
  const CACHE = resolve(opt('--cache', join(root, 'bench/cache')));
  return {
    opt,
    CACHE,
    LAKE: resolve(opt('--lake', join(root, 'build/release/lake'))),
    RUNS: Number(opt('--runs', '3')),
    LATENCY: Number(opt('--latency-ms', '20')),
    THREADS: Number(process.env.BENCH_THREADS || cpus().length),
    RESULTS: resolve(opt('--results', join(root, 'bench/RESULTS.md'))),
    REPORT: join(CACHE, `results/${name}/report.md`),
    SONGS: Number(opt('--songs', '15000')),
    EVENTS: Number(opt('--events', '8000')),
    WORKERS: Number(opt('--server-workers', '3')),
  };
}

/** Installs awscli and rclone from Debian when missing (as root), else throws naming them. */
export function ensureTools(log) {
  const missing = [[AWS, 'awscli'], [RCLONE, 'rclone']].filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg);
  if (!missing.length) return;
  if (process.getuid?.() !== 0) throw new Error(`missing Debian packages: sudo apt-get install ${missing.join(' ')}`);
  log(`installing ${missing.join(' ')}`);
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing],
    { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
}

/** Credentials the proxy accepts; no profile, config file or instance metadata is ever consulted. */
export function toolEnv() {
  const env = { ...process.env };
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3', 'AWS_MAX_ATTEMPTS', 'AWS_CA_BUNDLE']) delete env[k];
  return Object.assign(env, {
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/lake-bench-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-bench-credentials',
    AWS_PAGER: '',
    RCLONE_CONFIG: '/nonexistent/lake-bench-rclone.conf',
  });
}

/** The first line a tool prints for its version. */
export const version = (cmd, a) => {
  const r = spawnSync(cmd, a, { encoding: 'utf8', env: toolEnv() });
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0];
};

/** An rclone config naming the test S3 as remote `bench`. */
export const rcloneConfig = (endpoint) => ['[bench]', 'type = s3', 'provider = Other', 'env_auth = false',
  `access_key_id = ${KEY_ID}`, `secret_access_key = ${SECRET}`, `endpoint = ${endpoint}`,
  'region = us-east-1', 'force_path_style = true', ''].join('\n');

/** Runs cmd through bench/measure.sh (wall, CPU, peak RSS into timeFile); resolves to its exit
 * status. Asynchronous, since the S3 server lives in this process. */
export function measure(timeFile, logFile, cmd) {
  return new Promise((res, rej) => {
    const p = spawn(join(root, 'bench/measure.sh'), [timeFile, logFile, ...cmd], { env: toolEnv(), stdio: 'inherit' });
    p.on('error', rej);
    p.on('close', (status) => res(status));
  });
}

/** measure.sh's "k=v k=v" line as numbers. */
export const kv = (text) => Object.fromEntries(text.trim().split(/\s+/).map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
export const readTimes = (file) => kv(readFileSync(file, 'utf8'));

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export function countFiles(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) n++;
  return n;
}

/** The stage times of lake run's summary ("time: list 0.1s, songs ..."), in seconds by name. */
export function lakeStages(text) {
  const st = {};
  for (const [, k, v] of (text.match(/time: (.*)/) || ['', ''])[1].matchAll(/(\w+) ([\d.]+)s/g)) st[k] = Number(v);
  return st;
}

/** This checkout's commit (with +dirty when it has changes). */
export const lakeCommit = () => spawnSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).stdout.trim() +
  (spawnSync('git', ['-C', root, 'diff', '--quiet']).status ? '+dirty' : '');
