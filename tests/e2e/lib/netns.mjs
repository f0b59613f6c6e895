// A multi-host cluster on one machine for the MPI tests: network namespaces as hosts, joined by
// veth pairs to a bridge, each with its own IPv4 address, hostname (a UTS namespace) and sshd
// logging in with a key made here, so Open MPI's mpirun starts its daemons over ssh exactly as on
// real hosts; and one more namespace holding the test S3 (s3server.mjs, started by netns_s3.mjs).
// Only the network and the hostname differ between "hosts": the file system, the processes and
// the users are shared, so binaries and temporary directories have the same paths everywhere.
// The bridge also has an address in this (the root) namespace, so the test process itself reaches
// every sshd and the S3 directly.
//
// Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN), iproute2, util-linux (unshare, nsenter),
// openssh-server and -client and Open MPI. Every name carries this process's pid, so test files
// running side by side never collide; stop() removes everything start made, also after a start
// that failed midway, and the same cleanup runs at exit and on SIGINT/SIGTERM/SIGHUP as a best
// effort.
import { spawn, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import {
  closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync,
  rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_KEY, SECRET_KEY } from './s3server.mjs';

const here = new URL('.', import.meta.url).pathname;
const NETNS_DIR = '/var/run/netns'; // where `ip netns add` mounts the namespaces it names
const SSHD = '/usr/sbin/sshd'; // sshd re-executes itself, so it must be started by absolute path

/** Prefix of every namespace this process makes (`ip netns list`). */
export const NS_PREFIX = `lake-${process.pid}-`;
/** Prefix of every network interface this process makes in the root namespace (at most 15 bytes). */
export const LINK_PREFIX = `lk${process.pid}`;
const linkRe = new RegExp(`^${LINK_PREFIX}(br|h\\d+|s3|pr|pb)$`);

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A command that must succeed, synchronously (setup steps and the cleanup, which must also run
// in an 'exit' handler where nothing asynchronous happens any more).
function run(cmd, args, { check = true, input, timeout = 20_000 } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout });
  if (check && (r.error || r.status !== 0)) {
    throw new Error(`${cmd} ${args.join(' ')}: ${r.error?.message || `exit ${r.status ?? r.signal}: ${r.stderr.trim()}`}`);
  }
  return r;
}
const ip = (args, opts) => run('ip', args, opts);

const hasCommand = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/**
 * Why a cluster cannot be made on this machine (not root, namespaces or bridges refused, a tool
 * missing), or null when it can. Tries it: makes and removes a namespace, a veth pair and a bridge.
 */
export function clusterUnavailable() {
  if (process.getuid?.() !== 0) return `network namespaces need root; this test runs as uid ${process.getuid?.()}`;
  const tools = ['ip', 'unshare', 'nsenter', 'ssh', 'ssh-keygen', SSHD, 'mpirun', 'mpicc'];
  const missing = tools.filter((t) => (t.startsWith('/') ? !existsSync(t) : !hasCommand(t)));
  if (missing.length) {
    return `missing ${missing.join(', ')} (Debian packages iproute2, util-linux, openssh-server, ` +
      'openssh-client, openmpi-bin, libopenmpi-dev)';
  }
  const ns = `${NS_PREFIX}probe`;
  const link = `${LINK_PREFIX}pr`;
  try {
    ip(['netns', 'add', ns]);
    ip(['link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['link', 'add', `${LINK_PREFIX}pb`, 'type', 'bridge']);
    return null;
  } catch (e) {
    return `cannot make network namespaces, veth pairs and a bridge (needs CAP_SYS_ADMIN and CAP_NET_ADMIN): ${e.message}`;
  } finally {
    ip(['link', 'del', `${LINK_PREFIX}pb`], { check: false });
    ip(['link', 'del', link], { check: false });
    ip(['netns', 'del', ns], { check: false });
  }
}

// IPv4 networks (as [base, mask] numbers) on this machine's interfaces and routes.
function usedNetworks() {
  const text = ip(['-4', '-o', 'addr', 'show']).stdout + ip(['-4', 'route', 'show', 'table', 'all']).stdout;
  const nets = [];
  for (const m of text.matchAll(/(?:^|\s)(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?/g)) {
    const bits = m[5] === undefined ? 32 : Number(m[5]);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    nets.push([((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0, mask]);
  }
  return nets;
}

// A 10.a.b.0/24 that no interface address or route of this machine overlaps (default routes
// aside): random, so two test processes are unlikely to pick the same one, and checked.
function pickSubnet() {
  const used = usedNetworks().filter(([, mask]) => mask !== 0);
  for (let i = 0; i < 100; i++) {
    const a = 64 + randomInt(190);
    const b = randomInt(256);
    const base = ((10 << 24) | (a << 16) | (b << 8)) >>> 0;
    const mine = 0xffffff00;
    const clash = used.some(([net, mask]) => {
      const m = (mask & mine) >>> 0; // the shorter of the two masks
      return ((net & m) >>> 0) === ((base & m) >>> 0);
    });
    if (!clash) return `10.${a}.${b}`;
  }
  throw new Error('no free 10.x.y.0/24 subnet found for the test cluster');
}

// Inode of a named namespace: the processes inside it show it as /proc/PID/ns/net -> net:[inode].
const nsInode = (ns) => statSync(join(NETNS_DIR, ns)).ino;

// Pids of the processes whose network namespace is one of `inodes`.
function pidsInNamespaces(inodes) {
  if (!inodes.size) return [];
  const pids = [];
  for (const ent of readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${ent}/ns/net`));
      if (m && inodes.has(Number(m[1]))) pids.push(Number(ent));
    } catch { /* gone meanwhile, or a kernel thread */ }
  }
  return pids;
}

// Whether pid is a live process (a zombie is dead: it only waits to be reaped) and a child of
// this one: a pid spawned here that exited may since name another process.
function aliveChild(pid) {
  try {
    const m = /^\d+ \(.*\) (\S) (\d+) /s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return m !== null && m[1] !== 'Z' && Number(m[2]) === process.pid;
  } catch {
    return false;
  }
}

// Every cluster not yet stopped, for the exit and signal handlers.
const active = new Set();
let handlersInstalled = false;
function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => { for (const c of active) c.cleanupSync(); });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const c of active) c.cleanupSync();
      process.kill(process.pid, sig); // the default action now that this handler is gone
    });
  }
}

// Spawns `argv` detached (its own process group, so a timeout kills all of it) and collects its
// output; resolves to { status, signal, stdout, stderr, timedOut }.
function spawnCollect(argv, { env = process.env, timeout = 60_000, input, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { env, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeout);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Starts a cluster: `hosts` namespaces with sshd (h1 is the head node, where mpirun runs) and,
 * when s3 is true, a namespace with the test S3 holding `buckets` and accepting `secrets`
 * ({ keyId: secret }). Resolves to the cluster:
 *   hosts      [{ name: 'h1', ns, addr, hostname, sshdPid }]
 *   s3         { ns, addr, port, endpoint, backend, dir, buckets } or null; backend is s3rver
 *              itself (unsigned), for backendList/download/backendPut of s3server.mjs
 *   subnet     '10.a.b.0/24'; bridge { name, addr } (the root namespace's side)
 *   dir        the temporary directory (keys, configs, logs, hostfile, Open MPI's session dirs)
 *   hostfile, sshConfig  paths
 *   mpirunArgs(np, envNames = [])  the argv of mpirun before the program (see there)
 *   exec(ns, argv, { env, timeout, input, cwd })  runs argv in namespace ns (or host name 'h1',
 *              's3'; a host's ns also gets its hostname), killing its process group after timeout
 *              ms (default 60 s); resolves to { status, signal, stdout, stderr, timedOut }
 *   mpirun(np, argv, { env, timeout, cwd })  exec on the head node of mpirunArgs(np, names of
 *              env) followed by argv, with this process's environment plus env (forwarded)
 *   leftovers()  what of the cluster still exists (empty after stop)
 *   stop()     removes everything; throws if something could not be removed
 * A start that fails removes what it made before it rethrows.
 */
export async function startCluster({ hosts = 3, s3 = true, buckets = ['lake'], anonymousBuckets = [],
  secrets = { [ACCESS_KEY]: SECRET_KEY }, startTimeout = 30_000 } = {}) {
  // The names are per process (lake-PID-h1...), so one cluster at a time.
  if (active.size) throw new Error('startCluster: this process already has a cluster running; stop it first');
  installHandlers();
  removeStale();

  const made = { namespaces: [], inodes: new Set(), links: [], pids: [], dir: null };
  let stopped = false;
  const cluster = {
    hosts: [],
    s3: null,
    subnet: null,
    bridge: null,
    dir: null,
    hostfile: null,
    sshConfig: null,
    made,
    cleanupSync() {
      if (stopped) return [];
      stopped = true;
      active.delete(cluster);
      return cleanup(made);
    },
    async stop() {
      const problems = cluster.cleanupSync();
      if (problems.length) throw new Error(`netns cluster: cleanup incomplete:\n${problems.join('\n')}`);
    },
    leftovers: () => leftovers(made),
  };
  active.add(cluster);
  try {
    await setup(cluster, { hosts, s3, buckets, anonymousBuckets, secrets, startTimeout });
  } catch (e) {
    const problems = cluster.cleanupSync();
    if (problems.length) e.message += `\n(cleanup after the failed start: ${problems.join('; ')})`;
    throw e;
  }
  return cluster;
}

async function setup(cluster, { hosts, s3, buckets, anonymousBuckets, secrets, startTimeout }) {
  const { made } = cluster;
  const dir = mkdtempSync(join(tmpdir(), `lake-netns-${process.pid}-`));
  made.dir = dir;
  cluster.dir = dir;
  const base = pickSubnet();
  cluster.subnet = `${base}.0/24`;

  // The key every ssh login uses, and an ssh config that needs nothing of ~/.ssh: no known_hosts
  // (each test run makes new host keys), never a prompt.
  const key = join(dir, 'id_ed25519');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `lake-netns-${process.pid}`, '-f', key]);
  cluster.sshConfig = join(dir, 'ssh_config');
  writeFileSync(cluster.sshConfig, [
    'Host *',
    '  User root',
    `  IdentityFile ${key}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    '  BatchMode yes',
    '  StrictHostKeyChecking no',
    '  UserKnownHostsFile /dev/null',
    '  GlobalKnownHostsFile /dev/null',
    '  LogLevel ERROR', // no "Permanently added ... to the list of known hosts" on every login
    '  ConnectTimeout 10',
    '  ServerAliveInterval 5',
    '  ControlMaster no',
    '  ControlPath none',
    '  ForwardAgent no',
    '  ForwardX11 no',
    '',
  ].join('\n'));

  const bridge = { name: `${LINK_PREFIX}br`, addr: `${base}.1` };
  ip(['link', 'add', bridge.name, 'type', 'bridge']);
  made.links.push(bridge.name);
  ip(['addr', 'add', `${bridge.addr}/24`, 'dev', bridge.name]);
  ip(['link', 'set', bridge.name, 'up']);
  cluster.bridge = bridge;

  // One namespace per node: lo up (Open MPI and s3server talk to themselves over it), eth0 the
  // inside end of a veth pair whose outside end is a port of the bridge.
  const node = (name, addr) => {
    const ns = `${NS_PREFIX}${name}`;
    const link = `${LINK_PREFIX}${name}`;
    ip(['netns', 'add', ns]);
    made.namespaces.push(ns);
    made.inodes.add(nsInode(ns));
    ip(['link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    made.links.push(link);
    ip(['link', 'set', link, 'master', bridge.name, 'up']);
    ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  };

  // sshd's privilege separation directory. Debian's openssh-server makes it when the service
  // starts, which it never did here; it is shared with any other sshd, so it stays.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  for (let i = 1; i <= hosts; i++) {
    const name = `h${i}`;
    const addr = `${base}.${i + 1}`;
    const ns = node(name, addr);
    const hostname = `${NS_PREFIX}${name}`;
    const hdir = join(dir, name);
    mkdirSync(hdir);
    const hostKey = join(hdir, 'ssh_host_ed25519_key');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', hostname, '-f', hostKey]);
    const config = join(hdir, 'sshd_config');
    writeFileSync(config, [
      `ListenAddress ${addr}`,
      'Port 22',
      `HostKey ${hostKey}`,
      `PidFile ${join(hdir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${key}.pub`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no', // the key lives below /tmp, which is world-writable
      'UseDNS no',
      'PrintMotd no',
      'PrintLastLog no',
      'X11Forwarding no',
      'MaxStartups 100',
      'MaxSessions 100',
      'LogLevel INFO',
      '',
    ].join('\n'));
    // unshare --uts gives the host its own hostname, which every ssh session (Open MPI's daemons,
    // the ranks) inherits: Open MPI tells nodes apart by it, and names its session directories
    // after it. sh execs sshd, so the pid spawned is sshd's.
    const log = openSync(join(hdir, 'sshd.log'), 'a');
    const p = spawn('ip', ['netns', 'exec', ns, 'unshare', '--uts', 'sh', '-c', 'hostname "$1" && exec "$2" -f "$3" -D -e',
      'sh', hostname, SSHD, config], { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    made.pids.push(p.pid);
    p.on('error', () => {});
    p.unref();
    cluster.hosts.push({ name, ns, addr, hostname, sshdPid: p.pid, sshdLog: join(hdir, 'sshd.log'), process: p });
  }

  if (s3) {
    const addr = `${base}.${hosts + 2}`;
    const ns = node('s3', addr);
    const log = join(dir, 's3.log');
    const errFd = openSync(log, 'a');
    // TMPDIR: s3rver's directory goes below the cluster's, so it goes with it even if the server
    // is killed before it removes it.
    const env = { ...process.env, TMPDIR: dir, LAKE_NETNS_S3: JSON.stringify({ host: addr, buckets, anonymousBuckets, secrets }) };
    const p = spawn('ip', ['netns', 'exec', ns, process.execPath, join(here, 'netns_s3.mjs')],
      { env, stdio: ['pipe', 'pipe', errFd], detached: true });
    closeSync(errFd);
    made.pids.push(p.pid);
    const info = await new Promise((resolve, reject) => {
      let out = '';
      const done = (err, value) => {
        clearTimeout(timer);
        p.removeListener('exit', onExit);
        p.stdout.removeListener('data', onData);
        if (err) reject(err);
        else resolve(value);
      };
      const timer = setTimeout(() => done(new Error(`the S3 in ${ns} did not start within ${startTimeout} ms`)), startTimeout);
      const onExit = (code, sig) => {
        done(new Error(`the S3 in ${ns} exited (${code ?? sig}) before it listened:\n${readFileSync(log, 'utf8')}`));
      };
      const onData = (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) done(null, JSON.parse(out.slice(0, nl)));
      };
      p.on('error', (e) => done(e));
      p.on('exit', onExit);
      p.stdout.setEncoding('utf8').on('data', onData);
    });
    p.removeAllListeners('error');
    p.on('error', () => {});
    p.stdin.on('error', () => {});
    // Its stdin stays open as long as this process lives (the server stops when it closes); none
    // of its pipes keeps this process alive.
    p.unref();
    p.stdin.unref?.();
    p.stdout.unref?.();
    cluster.s3 = { ns, addr, port: Number(new URL(info.endpoint).port), endpoint: info.endpoint,
      backend: info.backend, dir: info.dir, buckets, log, pid: p.pid, process: p };
  }

  // Ready when every sshd lets the test's key in: ssh from here (the bridge's address) runs true.
  const deadline = Date.now() + startTimeout;
  await Promise.all(cluster.hosts.map(async (h) => {
    for (;;) {
      if (!aliveChild(h.sshdPid)) throw new Error(`sshd of ${h.name} exited:\n${readFileSync(h.sshdLog, 'utf8')}`);
      const r = await spawnCollect(['ssh', '-F', cluster.sshConfig, h.addr, 'hostname'], { timeout: 10_000 });
      if (r.status === 0) {
        if (r.stdout.trim() !== h.hostname) throw new Error(`ssh ${h.addr} logged into ${r.stdout.trim()}, expected ${h.hostname}`);
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`ssh to ${h.name} (${h.addr}) fails: ${r.stderr.trim()}\nsshd log:\n${readFileSync(h.sshdLog, 'utf8')}`);
      }
      await sleep(100);
    }
  }));

  // One slot per host: np = hosts puts one rank on each (more ranks need --oversubscribe, which
  // mpirunArgs passes).
  cluster.hostfile = join(dir, 'hostfile');
  writeFileSync(cluster.hostfile, cluster.hosts.map((h) => `${h.addr} slots=1\n`).join(''));
  // Open MPI's session directories (otherwise /tmp/ompi.HOST.UID) go below dir, removed with it.
  const ompiTmp = join(dir, 'ompi');
  mkdirSync(ompiTmp);

  /**
   * The argv of mpirun up to the program: np ranks, one per host in turn (--map-by node), not
   * bound to cores (every host sees all of this machine's cores: bound, each host's rank 0 would
   * sit on core 0); daemons started over ssh from the head node with the cluster's ssh config,
   * directly (no tree spawn); ranks talking TCP (ob1 over the tcp BTL, self for a rank to itself)
   * and Open MPI's own traffic too, both on the cluster's subnet only (not lo: every namespace
   * has one at 127.0.0.1); envNames forwarded to the ranks with -x.
   */
  cluster.mpirunArgs = (np, envNames = []) => [
    'mpirun', '--allow-run-as-root',
    '-np', String(np), '--hostfile', cluster.hostfile, '--map-by', 'node', '--oversubscribe', '--bind-to', 'none',
    '--mca', 'plm', 'rsh',
    '--mca', 'plm_rsh_agent', `ssh -F ${cluster.sshConfig}`,
    '--mca', 'plm_rsh_no_tree_spawn', '1',
    '--mca', 'pml', 'ob1',
    '--mca', 'btl', 'self,tcp',
    '--mca', 'btl_tcp_if_include', cluster.subnet,
    '--mca', 'oob_tcp_if_include', cluster.subnet,
    '--mca', 'orte_tmpdir_base', ompiTmp,
    ...envNames.flatMap((n) => ['-x', n]),
  ];

  cluster.exec = (ns, argv, opts = {}) => {
    const host = cluster.hosts.find((h) => h.ns === ns || h.name === ns);
    const s3ns = cluster.s3 && (ns === cluster.s3.ns || ns === 's3') ? cluster.s3.ns : null;
    if (!host && !s3ns) throw new Error(`exec: no namespace ${ns} in this cluster`);
    // In a host's namespace, also in its sshd's UTS namespace: the same hostname as over ssh.
    const prefix = host ? ['ip', 'netns', 'exec', host.ns, 'nsenter', '-t', String(host.sshdPid), '-u']
      : ['ip', 'netns', 'exec', s3ns];
    return spawnCollect([...prefix, ...argv], opts);
  };

  cluster.mpirun = (np, argv, { env = {}, timeout = 60_000, cwd } = {}) =>
    cluster.exec(cluster.hosts[0].ns, [...cluster.mpirunArgs(np, Object.keys(env)), ...argv],
      { env: { ...process.env, ...env }, timeout, cwd });
}

// Removes what `made` lists, in an order that cannot strand anything: the processes first (a
// process keeps its namespace alive after `ip netns del`), then the links, the namespaces, the
// directory. Tries every step; returns what could not be done.
function cleanup(made) {
  const problems = [];
  const targets = () => [...new Set([...pidsInNamespaces(made.inodes), ...made.pids.filter(aliveChild)])];
  for (let round = 0; round < 50; round++) {
    const pids = targets();
    if (!pids.length) break;
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
    }
    sleepSync(20);
  }
  const still = targets();
  if (still.length) problems.push(`processes still running: ${still.join(' ')}`);
  // Deleting one end of a veth pair deletes the other; the bridge goes last.
  for (const link of [...made.links].reverse()) {
    const r = ip(['link', 'del', link], { check: false });
    if (r.status !== 0 && !/Cannot find device/.test(r.stderr)) problems.push(`ip link del ${link}: ${r.stderr.trim()}`);
  }
  for (const ns of made.namespaces) {
    const r = ip(['netns', 'del', ns], { check: false });
    if (r.status !== 0 && existsSync(join(NETNS_DIR, ns))) problems.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  if (made.dir) {
    try { rmSync(made.dir, { recursive: true, force: true }); } catch (e) { problems.push(`rm ${made.dir}: ${e.message}`); }
  }
  return problems;
}

// Whether a process with this pid exists (in this pid namespace).
function pidExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Removes what clusters of processes that are gone left behind (a test process killed with
 * SIGKILL cannot clean up): namespaces lake-PID-*, links lkPID* and directories
 * $TMPDIR/lake-netns-PID-* of a PID that no longer exists, and those of this process's pid that no
 * cluster of this process made (a dead process had the pid before). The processes in those
 * namespaces are killed first. startCluster calls it; returns the names it removed.
 */
export function removeStale() {
  const mine = new Set([...active].flatMap((c) => [...c.made.namespaces, ...c.made.links]));
  const stale = (pid, name) => (pid === process.pid ? !mine.has(name) : !pidExists(pid));
  const nss = ip(['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0])
    .filter((n) => { const m = /^lake-(\d+)-(h\d+|s3|probe)$/.exec(n); return m && stale(Number(m[1]), n); });
  const links = ip(['-o', 'link', 'show']).stdout.split('\n').map((l) => (/^\d+: ([^:@\s]+)/.exec(l) || [])[1])
    .filter((n) => { const m = n && /^lk(\d+)(br|h\d+|s3|pr|pb)$/.exec(n); return m && stale(Number(m[1]), n); });
  const dirs = readdirSync(tmpdir()).filter((d) => {
    const m = /^lake-netns-(\d+)-/.exec(d);
    return m && Number(m[1]) !== process.pid && !pidExists(Number(m[1]));
  });
  if (!nss.length && !links.length && !dirs.length) return [];
  const inodes = new Set(nss.flatMap((ns) => { try { return [nsInode(ns)]; } catch { return []; } }));
  cleanup({ namespaces: nss, inodes, links, pids: [], dir: null });
  for (const d of dirs) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  return [...nss, ...links, ...dirs];
}

/** Namespaces and root-namespace links with this process's names (NS_PREFIX, LINK_PREFIX). */
export function namesLeft() {
  const nss = ip(['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(NS_PREFIX));
  const links = ip(['-o', 'link', 'show']).stdout.split('\n')
    .map((l) => (/^\d+: ([^:@\s]+)/.exec(l) || [])[1]).filter((n) => n && linkRe.test(n));
  return [...nss, ...links];
}

// What of a cluster still exists: its namespaces and links (by name), processes in its
// namespaces or spawned by it, its directory.
function leftovers(made) {
  const out = namesLeft().map((n) => `still there: ${n}`);
  for (const pid of new Set([...pidsInNamespaces(made.inodes), ...made.pids.filter(aliveChild)])) {
    let cmd = '?';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(); } catch { /* gone */ }
    out.push(`process still running: ${pid} ${cmd}`);
  }
  if (made.dir && existsSync(made.dir)) out.push(`directory still there: ${made.dir}`);
  return out;
}
