// The deploy scripts without a cluster: shellcheck (Debian) over every script of deploy/ and
// scripts/, --help of each, a clear failure when deploy/cluster.env is missing, make deploy
// without terraform, cluster-up without root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const REPO = new URL('../../', import.meta.url).pathname;
const BIN = ['describe-cluster', 'ssh-cluster', 'ssh-copy', 'submit', 'fetch-report'];

// Every file below dir that is a shell script (by its #! line or a shellcheck shell= directive).
function shellScripts(dir) {
  const out = [];
  for (const ent of readdirSync(join(REPO, dir), { withFileTypes: true })) {
    const rel = join(dir, ent.name);
    if (ent.isDirectory()) {
      if (!['.state', '.build', '.terraform', 'node_modules'].includes(ent.name)) out.push(...shellScripts(rel));
      continue;
    }
    if (ent.name.endsWith(".tftpl")) continue; // a Terraform template: checked rendered, below
    const head = readFileSync(join(REPO, rel), 'utf8').slice(0, 200);
    if (/^#!.*\b(ba|da)?sh\b/.test(head) || /^# shellcheck shell=/m.test(head)) out.push(rel);
  }
  return out;
}

const sh = (argv, opts = {}) => spawnSync(argv[0], argv.slice(1), { cwd: REPO, encoding: 'utf8', timeout: 60_000, ...opts });

describe('deploy scripts', () => {
  test('shellcheck passes on every script of deploy/ and scripts/', () => {
    const files = [...shellScripts('deploy'), ...shellScripts('scripts')];
    for (const f of ['deploy/node-setup.sh', 'deploy/node-job.sh', 'deploy/deploy.sh', 'deploy/lib/common.sh',
      'deploy/local/cluster-up.sh', 'deploy/local/cluster-down.sh', 'scripts/deps.sh', ...BIN.map((b) => `deploy/bin/${b}`)]) {
      assert.ok(files.includes(f), `${f} is checked`);
    }
    const r = sh(['shellcheck', '-x', '--source-path=SCRIPTDIR', '--severity=info', ...files]);
    assert.equal(r.error, undefined, 'shellcheck runs (Debian shellcheck; scripts/deps.sh installs it)');
    assert.equal(r.status, 0, `shellcheck:\n${r.stdout}${r.stderr}`);
    // The nodes' user data as Terraform renders it (templatefile: ${name} replaced by a value).
    const tpl = readFileSync(join(REPO, "deploy/terraform/cloud-init.sh.tftpl"), "utf8");
    const rendered = tpl.replace(/\$\{(\w+)\}/g, (_, name) => (name === "hosts" ? "10.42.1.10 10.42.1.11" : `rendered-${name}`));
    assert.doesNotMatch(rendered, /\$\{/, "every template variable rendered");
    const t = sh(["shellcheck", "--severity=info", "-s", "bash", "-"], { input: rendered });
    assert.equal(t.status, 0, `shellcheck of the rendered cloud-init.sh.tftpl:\n${t.stdout}${t.stderr}`);
  });

  test('every script is executable and has --help', () => {
    for (const f of [...BIN.map((b) => `deploy/bin/${b}`), 'deploy/node-setup.sh', 'deploy/node-job.sh', 'deploy/deploy.sh',
      'deploy/local/cluster-up.sh', 'deploy/local/cluster-down.sh']) {
      assert.ok(statSync(join(REPO, f)).mode & 0o100, `${f} is executable`);
      const r = sh([join(REPO, f), '--help']);
      assert.equal(r.status, 0, `${f} --help: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: /m, `${f} --help prints a usage`);
    }
  });

  test('without deploy/cluster.env every deploy/bin script fails, naming the file and what writes it', () => {
    const env = { ...process.env, LAKE_CLUSTER_ENV: '/nonexistent/lake-deploy-test/cluster.env' };
    for (const b of BIN) {
      const args = b === 'ssh-copy' ? ['--cluster-key'] : [];
      const r = sh([join(REPO, 'deploy/bin', b), ...args], { env });
      assert.equal(r.status, 1, `${b}: exit 1`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^${b}: no cluster described: /nonexistent/lake-deploy-test/cluster.env is missing \\(make deploy writes it`), b);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${b}: one line`);
    }
  });

  test('make deploy without terraform says so and does nothing else', () => {
    const r = sh(['make', '-s', 'deploy'], { env: { ...process.env, PATH: '/usr/bin:/bin' } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /make deploy: terraform is not installed\. Install Terraform 1\.5 or later/);
    assert.doesNotMatch(r.stdout + r.stderr, /packaged/, 'nothing packaged');
  });

  test('make cluster-up as a user who is not root fails saying it needs root', () => {
    const r = sh(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
      join(REPO, 'deploy/local/cluster-up.sh'), '--state', '/nonexistent/lake-deploy-test/state']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^cluster-up: needs root \(it makes network namespaces/);
  });
});
