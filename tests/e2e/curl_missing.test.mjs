// libcurl is loaded when the first S3 store opens (src/store/s3/curl_dyn.c): a machine without a
// usable libcurl.so.4 still runs local pipelines, and an S3 run fails in one line naming the
// Debian package. The dynamic loader is pointed at a broken libcurl.so.4 with LD_LIBRARY_PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertOneLineError, gen, LAKE_BIN, tempDir } from './lib/lake.mjs';

function lakeWith(libDir, args) {
  const prior = process.env.LD_LIBRARY_PATH;
  const env = { ...process.env, LD_LIBRARY_PATH: prior ? `${libDir}:${prior}` : libDir, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' };
  const r = spawnSync(LAKE_BIN, args, { encoding: 'utf8', env, timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

describe('lake without a usable libcurl', () => {
  let tmp;
  let empty;
  let noSymbols;
  before(() => {
    tmp = tempDir('lake-curl-');
    empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'libcurl.so.4'), ''); // not a shared object at all
    noSymbols = join(tmp.dir, 'nosyms');
    mkdirSync(noSymbols);
    writeFileSync(join(noSymbols, 'x.c'), 'int lake_not_curl;\n');
    // cc builds lake itself, so it is there wherever this suite runs: a failure here is real.
    const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', join(noSymbols, 'libcurl.so.4'), join(noSymbols, 'x.c')],
      { encoding: 'utf8' });
    assert.equal(cc.status, 0, `cc -shared failed: ${cc.stderr}`);
  });
  after(() => tmp?.cleanup());

  test('an S3 run fails in one line naming the package; nothing is written', () => {
    const out = join(tmp.dir, 'out1');
    const r = lakeWith(empty, ['run', '--input', 's3://bucket/in', '--output', out]);
    assertOneLineError(r, 'lake run from s3 with a broken libcurl.so.4',
      /S3 needs libcurl \(Debian package libcurl4\): .*libcurl\.so\.4/);
    assert.equal(existsSync(out), false, 'no output directory after the failure');
  });

  test('a library without curl\'s functions is named with the first one missing', () => {
    const r = lakeWith(noSymbols, ['run', '--input', 's3://bucket/in', '--output', join(tmp.dir, 'out2')]);
    assertOneLineError(r, 'lake run from s3 with a libcurl.so.4 lacking symbols',
      /libcurl\.so\.4 has no curl_global_init/);
  });

  test('a local run does not need libcurl', () => {
    const input = join(tmp.dir, 'in');
    gen(input, { songs: 20, events: 200, seed: 5 });
    const out = join(tmp.dir, 'out3');
    const r = lakeWith(empty, ['run', '--input', input, '--output', out]);
    assert.equal(r.status, 0, `local run failed with the broken libcurl: ${r.stderr}`);
    assert.ok(existsSync(join(out, 'songs', '_SUCCESS')), 'the local run committed its output');
  });
});
