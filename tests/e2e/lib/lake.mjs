// Running the lake binary from tests: LAKE_BIN names it (make e2e sets it); temp dirs that the
// test removes again.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const candidates = [
  process.env.LAKE_BIN,
  resolve(here, '../../../build/release/lake'),
].filter(Boolean);

/** Absolute path of the lake binary. A missing binary is a failure, never a skip. */
export const LAKE_BIN = candidates.find((p) => existsSync(p)) || null;
if (!LAKE_BIN) throw new Error('no lake binary: set LAKE_BIN or build build/release/lake (make build)');

/** Runs `lake args...`; returns { status, stdout, stderr }. Never throws on a non-zero exit. */
export function lake(args, { timeout = 300_000 } = {}) {
  const r = spawnSync(LAKE_BIN, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs lake and throws with its output when it does not exit 0. */
export function lakeOk(args, opts) {
  const r = lake(args, opts);
  if (r.status !== 0) {
    throw new Error(`lake ${args.join(' ')} exited ${r.status ?? r.signal}\n` +
      `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'lake-e2e-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `lake gen` into dir with the given options object. */
export function gen(dir, { songs = 300, events = 3000, seed = 1, edgeCases = true, badRecords = false } = {}) {
  const args = ['gen', dir, '--songs', String(songs), '--events', String(events), '--seed', String(seed)];
  if (!edgeCases) args.push('--no-edge-cases');
  if (badRecords) args.push('--bad-records');
  return lakeOk(args);
}

/** `lake run` from input to output with extra options. */
export function run(input, output, extra = []) {
  return lake(['run', '--input', input, '--output', output, ...extra]);
}

/**
 * Runs `bin args...` without blocking the event loop (for tests whose S3 server runs in this
 * process); resolves to { status, signal, stdout, stderr }, killing it after `timeout` ms.
 */
export function spawnAsync(bin, args, { env = process.env, timeout = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { env });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('error', reject);
    p.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr }); });
  });
}

/** spawnAsync of the lake binary. */
export const lakeAsync = (args, opts) => spawnAsync(LAKE_BIN, args, opts);

/** Asserts a finished run exited 0, showing its output otherwise. */
export function assertExitOk(r, what) {
  if (r.status !== 0) {
    throw new Error(`${what} exited ${r.status ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** A 127.0.0.1 port with nothing listening on it (bound, read, released). */
export async function closedPort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Asserts a finished run failed with exit 1 and exactly one line on stderr (which must match
 * `pattern` when given); returns that line.
 */
export function assertOneLineError(r, what, pattern) {
  if (r.status !== 1) throw new Error(`${what}: expected exit 1, got ${r.status ?? r.signal}\n${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  if (lines.length !== 1) throw new Error(`${what}: expected a one-line error, got:\n${r.stderr}`);
  if (pattern && !pattern.test(lines[0])) throw new Error(`${what}: the error line should match ${pattern}: ${lines[0]}`);
  return lines[0];
}
