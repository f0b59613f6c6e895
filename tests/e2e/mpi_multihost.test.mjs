// Open MPI across three hosts: network namespaces on one machine, each with its own address,
// hostname and sshd, mpirun on the first launching over ssh, ranks talking TCP over a bridge, and
// the test S3 in a fourth namespace (lib/netns.mjs). Needs root: on a machine that cannot make
// namespaces this file fails, saying why, unless LAKE_SKIP_NETNS=1 makes it skip.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, assertExitOk, gen, lakeAsync, spawnAsync, tempDir } from './lib/lake.mjs';
import { LINK_PREFIX, NS_PREFIX, clusterUnavailable, startCluster } from './lib/netns.mjs';
import { computeOracle } from './lib/oracle.mjs';
import { compareWithOracle, readLakeOutput, showRow, snapshotDir } from './lib/output.mjs';
import { download } from './lib/s3server.mjs';
import { MPI_ENV } from './lib/mpi_env.mjs';

const KEY_ID = 'AKIALAKEMPITESTKEY01';
const SECRET = 'lake-mpi-test-secret/NeverPrintMe+0123';
const HOSTS = 3;
const here = new URL('.', import.meta.url).pathname;

// Checked before anything starts: a machine that cannot do this fails the file, never passes it
// silently; LAKE_SKIP_NETNS=1 is the explicit way out.
const unavailable = clusterUnavailable();
const skip = unavailable && process.env.LAKE_SKIP_NETNS === '1' ? `skipped (LAKE_SKIP_NETNS=1): ${unavailable}` : false;

function report(problems, max = 15) {
  if (!problems.length) return;
  const more = problems.length > max ? `\n... and ${problems.length - max} more` : '';
  assert.fail(`${problems.length} problem(s):\n${problems.slice(0, max).join('\n')}${more}`);
}

// Lines of mpirun's output that match re (ranks' output comes in any order), as match arrays.
const matchLines = (text, re) => text.split('\n').map((l) => re.exec(l)).filter(Boolean);

describe('MPI across three hosts (network namespaces, sshd, Open MPI over TCP)', { skip }, () => {
  let cluster;
  let tmp;

  before(async () => {
    if (unavailable) {
      throw new Error(`the multi-host tests cannot run here: ${unavailable}. ` +
        'Run them as root on a machine that allows network namespaces, or set LAKE_SKIP_NETNS=1 to skip them.');
    }
    tmp = tempDir('lake-mpi-e2e-');
    cluster = await startCluster({ hosts: HOSTS, s3: true, buckets: ['lake'], secrets: { [KEY_ID]: SECRET } });
  });
  after(async () => {
    await cluster?.stop();
    tmp?.cleanup();
  });

  test('every rank runs on its own host: one address and hostname each', async () => {
    const r = await cluster.mpirun(HOSTS, ['sh', '-c',
      'echo "rank=$OMPI_COMM_WORLD_RANK host=$(hostname) addrs=$(ip -4 -o addr show scope global | awk \'{print $4}\' | paste -sd,)"'],
    { timeout: 60_000 });
    assertExitOk(r, 'mpirun sh');
    const lines = matchLines(r.stdout, /^rank=(\d+) host=(\S+) addrs=(\S*)$/);
    assert.equal(lines.length, HOSTS, `one line per rank:\n${r.stdout}${r.stderr}`);
    // --map-by node: rank i on the i-th host of the hostfile.
    const got = lines.map(([, rank, host, addrs]) => ({ rank: Number(rank), host, addrs })).sort((a, b) => a.rank - b.rank);
    assert.deepEqual(got, cluster.hosts.map((h, i) => ({ rank: i, host: h.hostname, addrs: `${h.addr}/24` })));
  });

  test('MPI_Sendrecv and MPI_Allreduce over TCP between the three hosts', async () => {
    const bin = join(tmp.dir, 'mpi_ring');
    const cc = await spawnAsync('mpicc', ['-O2', '-Wall', '-Werror', '-o', bin, join(here, '../tools/mpi_ring.c')], { timeout: 60_000 });
    assertExitOk(cc, 'mpicc mpi_ring.c');
    const r = await cluster.mpirun(HOSTS, [bin], { timeout: 60_000 });
    assertExitOk(r, 'mpirun mpi_ring');
    const lines = matchLines(r.stdout, /^rank (\d+) of (\d+) on (\S+) prev (\S+) sum (\d+) big (\S+)$/);
    assert.equal(lines.length, HOSTS, `one line per rank:\n${r.stdout}${r.stderr}`);
    const names = cluster.hosts.map((h) => h.hostname);
    for (const [line, rank, size, host, prev, sum, big] of lines) {
      const i = Number(rank);
      assert.equal(Number(size), HOSTS, line);
      assert.equal(host, names[i], `${line}: rank ${i} runs on host ${i + 1}`);
      assert.equal(prev, names[(i + HOSTS - 1) % HOSTS], `${line}: the ring brought the previous host's name`);
      assert.equal(Number(sum), (HOSTS * (HOSTS + 1)) / 2, line);
      assert.equal(big, 'OK', `${line}: the 4 MiB allreduce`);
    }
  });

  test('lake run across three hosts writes the files one process writes', async () => {
    const awsEnv = {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: cluster.s3.endpoint,
      AWS_CONFIG_FILE: '/nonexistent/lake-test-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/lake-test-credentials',
    };
    // Nothing of the machine's own AWS setup may reach a rank (mpirun forwards only awsEnv, but
    // lake gen and the reference run below get this process's environment).
    for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_S3', 'AWS_MAX_ATTEMPTS']) {
      delete process.env[k];
    }
    const ep = ['--endpoint-url', cluster.s3.endpoint];
    const genArgs = ['--songs', '120', '--events', '2000', '--seed', '31'];
    const local = join(tmp.dir, 'in');
    gen(local, { songs: 120, events: 2000, seed: 31 });
    const oracle = await computeOracle(local);
    // The same input into the cluster's S3, written from here over the bridge.
    assertExitOk(await lakeAsync(['gen', 's3://lake/in', ...genArgs, ...ep], { env: { ...process.env, ...awsEnv } }),
      'lake gen s3://lake/in');

    // The reference: one lake process on the head node.
    const one = await cluster.exec(cluster.hosts[0].ns,
      [LAKE_BIN, 'run', '--input', 's3://lake/in', '--output', 's3://lake/out-single', ...ep],
      { env: { ...process.env, ...awsEnv }, timeout: 120_000 });
    assertExitOk(one, 'lake run (one process)');

    // Three ranks, one per host, every one reading and writing the store over the bridge.
    const mpi = await cluster.mpirun(HOSTS,
      [LAKE_BIN, 'run', '--input', 's3://lake/in', '--output', 's3://lake/out-mpi', ...ep],
      { env: { ...awsEnv, ...MPI_ENV }, timeout: 180_000 });
    assertExitOk(mpi, `mpirun -np ${HOSTS} lake run`);
    // One summary for the job (rank 0's), with a line per rank: every rank read part of the input.
    assert.equal(matchLines(mpi.stdout, /^lake run [0-9a-f-]{36}: /).length, 1, `one summary:\n${mpi.stdout}`);
    assert.match(mpi.stdout, new RegExp(`^  ranks: ${HOSTS} `, 'm'));
    const ranks = matchLines(mpi.stdout, /^  rank (\d+) +(\d+) records /);
    assert.deepEqual(ranks.map((m) => Number(m[1])), [...Array(HOSTS).keys()], `a line per rank:\n${mpi.stdout}`);
    for (const [line, , records] of ranks) assert.ok(Number(records) > 0, `every rank read records: ${line}`);

    const singleDir = await fetchOutput('out-single/');
    const multiDir = await fetchOutput('out-mpi/');
    // Byte for byte the files of the single process, run uuids in names and _SUCCESS aside.
    const files = (dir) => snapshotDir(dir, { exclude: (rel) => rel.startsWith('_lake'), maskRunIds: true });
    assert.deepEqual(await files(multiDir), await files(singleDir), `${HOSTS} ranks vs one process: the files`);
    const single = await readLakeOutput(singleDir);
    const multi = await readLakeOutput(multiDir);
    report(compareWithOracle(single, oracle, single.problems).map((p) => `one process: ${p}`));
    // readLakeOutput also reports data files carrying more than one run uuid: the ranks of one
    // run are expected to write under the same one.
    report(compareWithOracle(multi, oracle, multi.problems).map((p) => `${HOSTS} ranks: ${p}`));
    // Row for row the same tables as the single process (rows and partition values, any file).
    for (const table of Object.keys(single.tables)) {
      const rows = (t) => t.rows.map((r) => `${showRow(r)} ${showRow(r.__part)}`).sort();
      assert.deepEqual(rows(multi.tables[table]), rows(single.tables[table]), `${table}: ${HOSTS} ranks vs one process`);
    }

    async function fetchOutput(prefix) {
      const dest = join(tmp.dir, prefix);
      await download(cluster.s3, 'lake', prefix, dest);
      return dest;
    }
  });

  // Last: the cluster stops here (after() stopping it again does nothing), and nothing of it may
  // remain, looked up independently of what the harness remembers where possible.
  test('stop() leaves no namespace, link, process or file behind', async () => {
    const { dir } = cluster;
    await cluster.stop();
    assert.deepEqual(cluster.leftovers(), []);
    const namespaces = await spawnAsync('ip', ['netns', 'list']);
    assert.equal(namespaces.stdout.split('\n').filter((l) => l.startsWith(NS_PREFIX)).join('\n'), '', 'ip netns list');
    const links = await spawnAsync('ip', ['-o', 'link', 'show']);
    assert.equal(links.stdout.split('\n').filter((l) => new RegExp(`^\\d+: ${LINK_PREFIX}`).test(l)).join('\n'), '', 'ip link');
    // sshd, the S3 server, mpirun and Open MPI's daemons all name the cluster's directory on
    // their command line.
    const procs = [];
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        if (cmd.includes(dir) || (cmd.includes('netns_s3.mjs') && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(dir))) {
          procs.push(`${pid} ${cmd}`);
        }
      } catch { /* gone meanwhile */ }
    }
    assert.deepEqual(procs, [], 'processes of the cluster still running');
  });
});
