// The local cluster end to end, through the scripts the make targets run: cluster-up.sh (3
// namespace hosts with sshd, configured by deploy/node-setup.sh, and s3rver holding `lake gen`
// input), deploy/bin/submit (lake-job on the head: mpirun over ssh, one rank per host),
// describe-cluster, ssh-cluster, fetch-report, then cluster-down.sh, after which nothing of the
// cluster may be left: no namespace, link, process or file. The tables are checked against the
// DuckDB oracle. Needs root and network namespaces, as mpi_multihost.test.mjs does; fails
// (never skips) where they cannot be made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, gen, tempDir } from './lib/lake.mjs';
import { MPI_ENV } from './lib/mpi_env.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput } from './lib/output.mjs';
import { download } from './lib/s3server.mjs';

const REPO = new URL('../../', import.meta.url).pathname;
const NODES = 3;
const GEN = { songs: 60, events: 1500, seed: 21 };

const run = (argv, env = {}) => spawnSync(argv[0], argv.slice(1), { cwd: REPO, encoding: 'utf8', timeout: 180_000,
  env: { ...process.env, ...env } });
const ok = (r, what) => assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);

// Pids of processes in the network namespace whose name is ns.
const nsPids = (ns) => (run(['ip', 'netns', 'pids', ns]).stdout || '').split('\n').filter(Boolean);

describe('the local cluster: make cluster-up, cluster-submit, cluster-down', () => {
  let tmp;
  let state;
  let clusterEnv;
  let names; // { namespaces, links } as cluster-up recorded them

  before(() => {
    tmp = tempDir('lake-deploy-local-');
    state = join(tmp.dir, 'state');
    clusterEnv = { LAKE_CLUSTER_ENV: join(state, 'cluster.env') };
    // What the ranks need under the tests (root, and the ASan build's leak suppressions).
    const extra = join(tmp.dir, 'mpi.env');
    writeFileSync(extra, Object.entries(MPI_ENV).map(([k, v]) => `${k}=${v}\n`).join(''));
    const up = run([join(REPO, 'deploy/local/cluster-up.sh'), '--nodes', String(NODES), '--state', state,
      '--lake-bin', LAKE_BIN, '--songs', String(GEN.songs), '--events', String(GEN.events), '--seed', String(GEN.seed),
      '--env-file', extra]);
    ok(up, 'cluster-up.sh (needs root and network namespaces)');
    names = {
      namespaces: readFileSync(join(state, 'namespaces'), 'utf8').trim().split('\n'),
      links: readFileSync(join(state, 'links'), 'utf8').trim().split('\n'),
    };
  });
  after(() => {
    if (state && existsSync(state)) run([join(REPO, 'deploy/local/cluster-down.sh'), '--state', state, '--quiet']);
    tmp?.cleanup();
  });

  test('cluster-up made the hosts and the store, and refuses a second cluster on the same state', () => {
    assert.equal(names.namespaces.length, NODES + 1, 'a namespace per host and one for the store');
    const desc = run([join(REPO, 'deploy/bin/describe-cluster'), '--check'], clusterEnv);
    ok(desc, 'describe-cluster --check');
    for (let i = 0; i < NODES; i++) assert.match(desc.stdout, new RegExp(`^  node ${i}  lakec-[0-9a-f]+-h${i + 1}  set up .*lake `, 'm'));
    const again = run([join(REPO, 'deploy/local/cluster-up.sh'), '--state', state, '--lake-bin', LAKE_BIN]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^cluster-up: a local cluster is already up/);
    const ssh = run([join(REPO, 'deploy/bin/ssh-cluster'), '-n', '2', 'hostname'], clusterEnv);
    ok(ssh, 'ssh-cluster -n 2 hostname');
    assert.match(ssh.stdout.trim(), /^lakec-[0-9a-f]+-h3$/);
  });

  test('submit runs one job across the hosts; the tables equal the oracle; fetch-report brings the report', async () => {
    const r = run([join(REPO, 'deploy/bin/submit')], clusterEnv);
    ok(r, 'submit');
    assert.match(r.stdout, new RegExp(`^  ranks: ${NODES} `, 'm'));
    const ranks = [...r.stdout.matchAll(/^ {2}rank (\d+) +(\d+) records /gm)];
    assert.deepEqual(ranks.map((m) => Number(m[1])), [0, 1, 2]);
    for (const m of ranks) assert.ok(Number(m[2]) > 0, `rank ${m[1]} read records`);
    // Never a secret in what the operator sees.
    const secret = /^AWS_SECRET_ACCESS_KEY=(.*)$/m.exec(readFileSync(join(state, 'node.env'), 'utf8'))[1];
    assert.ok(!(r.stdout + r.stderr).includes(secret), 'submit does not print the store\'s secret');

    const input = join(tmp.dir, 'in');
    gen(input, GEN);
    const oracle = await computeOracle(input);
    const s3 = JSON.parse(readFileSync(join(state, 's3.json'), 'utf8'));
    const out = join(tmp.dir, 'out');
    await download(s3, 'lake', 'output/', out);
    const tables = await readLakeOutput(out);
    const problems = compareWithOracle(tables, oracle, tables.problems);
    assert.deepEqual(problems, [], 'the tables equal the oracle');

    const dest = join(tmp.dir, 'reports');
    const f = run([join(REPO, 'deploy/bin/fetch-report'), '--dest', dest], clusterEnv);
    ok(f, 'fetch-report');
    const [runDir] = readdirSync(dest);
    assert.match(readFileSync(join(dest, runDir, 'report.html'), 'utf8'), /<html/i);
    const summary = JSON.parse(readFileSync(join(dest, runDir, 'summary.json'), 'utf8'));
    assert.equal(summary.cluster.ranks, NODES);
    assert.equal(summary.cluster.per_rank.length, NODES);
    assert.equal(readFileSync(join(dest, runDir, 'exit-status'), 'utf8').trim(), '0');
    assert.ok(!readFileSync(join(dest, runDir, 'lake.log'), 'utf8').includes(secret));
  });

  test('cluster-down removes every namespace, link, process and file the cluster made', () => {
    const pids = names.namespaces.flatMap(nsPids);
    assert.ok(pids.length >= NODES + 1, 'sshd on every host and the store are running before');
    const down = run([join(REPO, 'deploy/local/cluster-down.sh'), '--state', state]);
    ok(down, 'cluster-down.sh');
    const netns = run(['ip', 'netns', 'list']).stdout;
    for (const ns of names.namespaces) assert.ok(!netns.includes(ns), `namespace ${ns} is gone`);
    for (const l of names.links) assert.notEqual(run(['ip', 'link', 'show', l]).status, 0, `link ${l} is gone`);
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`) && !isZombie(pid), false, `process ${pid} is gone`);
    assert.equal(existsSync(state), false, 'the state directory is gone');
    // No process of this machine still runs from the cluster's directory.
    for (const p of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      let cmd = '';
      try { cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8'); } catch { continue; }
      assert.ok(!cmd.includes(state), `process ${p} (${cmd.replaceAll('\0', ' ')}) still uses the cluster's directory`);
    }
    const again = run([join(REPO, 'deploy/local/cluster-down.sh'), '--state', state]);
    ok(again, 'cluster-down.sh a second time');
    assert.match(again.stdout, /no local cluster/);
  });
});

function isZombie(pid) {
  try {
    return /^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
