// The include layering check (scripts/check_layers.mjs with the rules in scripts/layers.txt) on
// small fixture trees shaped like the target layout, never on the real src/: a clean tree passes,
// and each kind of violation added to it (a forbidden folder, a private header, a sub-folder of
// the engine, one job using another, a public header using a private one, 2- and 3-file cycles,
// an include naming no file) fails with exit 1 and a line naming the file, line, header and rule.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

const here = new URL('.', import.meta.url).pathname;
const CHECKER = resolve(here, '../../scripts/check_layers.mjs');

const inc = (...names) => names.map((n) => (n.startsWith('<') ? `#include ${n}\n` : `#include "${n}"\n`)).join('');

// A tree that follows the rules: every folder, a few sub-folders, public headers with owners.
const CLEAN = {
  'include/lake/common.h': inc('<stddef.h>'),
  'include/lake/codec.h': inc('lake/common.h'),
  'include/lake/table.h': inc('lake/common.h'),
  'include/lake/store.h': inc('lake/common.h'),
  'include/lake/parquet.h': inc('lake/common.h', 'lake/table.h'),
  'src/base/alloc.c': inc('lake/common.h', 'base/hash.h', '<stdlib.h>'),
  'src/base/hash.h': inc('lake/common.h'),
  'src/codec/compress.c': inc('lake/codec.h', 'codec/inflate.h', 'base/hash.h'),
  'src/codec/inflate.h': inc('lake/common.h'),
  'src/json/json.h': inc('lake/common.h'),
  'src/json/extract.cc': inc('json/json.h', '<simdjson.h>'),
  'src/table/table.c': inc('lake/table.h'),
  'src/store/store_impl.h': inc('lake/store.h'),
  'src/store/store.c': inc('store/store_impl.h', 'store/local/local.h', 'store/s3/s3.h', 'lake/codec.h'),
  'src/store/local/local.h': inc('store/store_impl.h'),
  'src/store/local/local.c': inc('store/local/local.h'),
  'src/store/s3/s3.h': inc('store/store_impl.h'),
  'src/store/s3/s3.c': inc('store/s3/s3.h', 'codec/inflate.h'),
  'src/parquet/write/writer.c': inc('lake/parquet.h', 'lake/codec.h', 'parquet/read/footer.h'),
  'src/parquet/read/footer.h': inc('lake/parquet.h'),
  'src/engine/engine.h': inc('lake/store.h', 'lake/parquet.h'),
  'src/engine/run.c': inc('engine/engine.h', 'engine/ingest/scan.h', 'engine/load/plan.h', 'engine/commit/commit.h'),
  'src/engine/ingest/scan.h': inc('engine/engine.h', 'json/json.h'),
  'src/engine/ingest/scan.c': inc('engine/ingest/scan.h', 'codec/inflate.h'),
  'src/engine/commit/commit.h': inc('engine/engine.h'),
  'src/engine/load/plan.h': inc('engine/commit/commit.h', 'lake/table.h'),
  'src/cluster/comm.h': inc('engine/engine.h', 'lake/store.h'),
  'src/jobs/sparkify/songs.c': inc('engine/engine.h', 'cluster/comm.h', 'json/json.h', 'jobs/sparkify/tables.h'),
  'src/jobs/sparkify/tables.h': inc('lake/table.h'),
  'src/jobs/distcp/distcp.h': inc('engine/engine.h'),
  'src/gen/gen.c': inc('lake/store.h', 'json/json.h'),
  'src/inspect/inspect.c': inc('lake/parquet.h', 'parquet/read/footer.h', 'lake/store.h'),
  'src/cli/cli.h': inc('lake/common.h'),
  'src/cli/main.c': inc('cli/cli.h', 'lake/store.h', 'lake/parquet.h', '<stdio.h>'),
};

let tmp;
let count = 0;

/** Writes the clean tree plus `extra` (path -> text, null removes) and runs the checker on it. */
function check(extra = {}, { rules } = {}) {
  const root = join(tmp, `t${count++}`);
  for (const [path, text] of Object.entries({ ...CLEAN, ...extra })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const args = [CHECKER, ...(rules ? ['--rules', rules] : []), join(root, 'src'), join(root, 'include')];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  const problems = r.stderr.split('\n').filter((l) => l && !l.startsWith('layers: '));
  return { ...r, root, problems };
}

/** The run failed with exactly the given problems, each matched by one regex, in order. */
function assertProblems(r, patterns) {
  assert.equal(r.status, 1, `exit status\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(r.problems.length, patterns.length, `problems:\n${r.problems.join('\n')}`);
  patterns.forEach((p, i) => assert.match(r.problems[i], p));
  assert.match(r.stderr, new RegExp(`layers: ${patterns.length} violation\\(s\\)`));
}

const at = (path, line, header) => new RegExp(`/${path.replace(/\./g, '\\.')}:${line}: includes "${header}": `);

describe('the layering check', () => {
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lake-layers-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('a tree that follows the rules passes', () => {
    const r = check();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^layers: ${Object.keys(CLEAN).length} files, \\d+ includes follow .*layers\\.txt\n$`));
  });

  test('a folder including one its line does not list', () => {
    const r = check({
      'src/parquet/write/sink.c': inc('lake/parquet.h', 'store/store.h'),
      'src/store/store.h': inc('lake/store.h'),
      'src/base/clock.c': inc('lake/common.h', 'codec/inflate.h'),
    });
    assertProblems(r, [
      new RegExp(at('src/base/clock.c', 2, 'codec/inflate.h').source + 'base may not use codec \\(.*layers\\.txt:\\d+: "base:"\\)$'),
      new RegExp(at('src/parquet/write/sink.c', 2, 'store/store.h').source +
        'parquet may not use store \\(.*layers\\.txt:\\d+: "parquet: base codec table"\\)$'),
    ]);
  });

  test('a public header counts as its owner folder', () => {
    const r = check({
      'src/parquet/write/sink.c': inc('lake/store.h'),
      'src/cluster/comm.c': inc('cluster/comm.h', 'lake/parquet.h'),
    });
    assertProblems(r, [
      new RegExp(at('src/cluster/comm.c', 2, 'lake/parquet.h').source + 'cluster may not use parquet; lake/parquet.h belongs to parquet'),
      new RegExp(at('src/parquet/write/sink.c', 1, 'lake/store.h').source + 'parquet may not use store; lake/store.h belongs to store'),
    ]);
  });

  test('cli uses only public headers; private store headers stay in store/', () => {
    const r = check({
      'src/cli/cmd_run.c': inc('cli/cli.h', 'base/hash.h', 'store/store_impl.h'),
      'src/engine/ingest/list.c': inc('store/local/local.h'),
    });
    assertProblems(r, [
      new RegExp(at('src/cli/cmd_run.c', 2, 'base/hash.h').source + 'cli may not use base \\(.*"cli: lake"\\)$'),
      new RegExp(at('src/cli/cmd_run.c', 3, 'store/store_impl.h').source +
        'store/store_impl.h is private to store \\(.*layers\\.txt:\\d+: "private store/store_impl.h: store"\\)$'),
      new RegExp(at('src/cli/cmd_run.c', 3, 'store/store_impl.h').source + 'cli may not use store'),
      new RegExp(at('src/engine/ingest/list.c', 1, 'store/local/local.h').source +
        'store/local is private to store \\(.*"private store/local: store"\\)$'),
    ]);
  });

  test('the engine\'s sub-folders are layered: ingest and commit stand alone, load may use commit', () => {
    const r = check({
      'src/engine/ingest/batch.c': inc('engine/ingest/scan.h', 'engine/load/plan.h'),
      'src/engine/commit/rename.c': inc('engine/commit/commit.h', 'engine/load/plan.h', 'engine/ingest/scan.h'),
    });
    assertProblems(r, [
      new RegExp(at('src/engine/commit/rename.c', 2, 'engine/load/plan.h').source +
        'engine/commit may not use engine/load \\(.*layers\\.txt:\\d+: "engine/commit:"\\)$'),
      new RegExp(at('src/engine/commit/rename.c', 3, 'engine/ingest/scan.h').source + 'engine/commit may not use engine/ingest'),
      new RegExp(at('src/engine/ingest/batch.c', 2, 'engine/load/plan.h').source +
        'engine/ingest may not use engine/load \\(.*"engine/ingest:"\\)$'),
    ]);
  });

  test('jobs never use each other; the engine never names a job', () => {
    const r = check({
      'src/jobs/sparkify/copy.c': inc('jobs/distcp/distcp.h'),
      'src/engine/load/tables.c': inc('jobs/sparkify/tables.h'),
    });
    assertProblems(r, [
      new RegExp(at('src/engine/load/tables.c', 1, 'jobs/sparkify/tables.h').source + 'engine may not use jobs'),
      new RegExp(at('src/jobs/sparkify/copy.c', 1, 'jobs/distcp/distcp.h').source +
        'jobs/sparkify may not use jobs/distcp \\(.*layers\\.txt:\\d+: "jobs/\\*:"\\)$'),
    ]);
  });

  test('a public header may include only public headers', () => {
    const r = check({ 'include/lake/table.h': inc('lake/common.h', 'base/hash.h') });
    assertProblems(r, [
      new RegExp(at('include/lake/table.h', 2, 'base/hash.h').source + 'a public header may include only public headers'),
    ]);
  });

  test('a 2-file and a 3-file include cycle are each reported once, with the chain', () => {
    const r = check({
      'src/base/a.h': inc('base/b.h'),
      'src/base/b.h': inc('lake/common.h', 'base/a.h'),
      'src/store/c1.h': inc('store/c2.h'),
      'src/store/c2.h': inc('store/c3.h'),
      'src/store/c3.h': inc('lake/store.h', 'store/c1.h'),
    });
    const a = join(r.root, 'src/base/a.h');
    const b = join(r.root, 'src/base/b.h');
    const [c1, c2, c3] = ['c1', 'c2', 'c3'].map((n) => join(r.root, `src/store/${n}.h`));
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.problems, [
      `${a}:1: includes "base/b.h": include cycle ${a}:1 -> ${b}:2 -> ${a}`,
      `${c1}:1: includes "store/c2.h": include cycle ${c1}:1 -> ${c2}:1 -> ${c3}:2 -> ${c1}`,
    ]);
  });

  test('a header including itself is a cycle', () => {
    const r = check({ 'src/json/self.h': inc('json/self.h') });
    assertProblems(r, [new RegExp(at('src/json/self.h', 1, 'json/self.h').source + 'include cycle .*self\\.h:1 -> .*self\\.h$')]);
  });

  test('an include that names no file is an error', () => {
    const r = check({
      'src/gen/emit.c': inc('gen/missing.h', 'lake/nope.h', '../base/hash.h', 'hash.h'),
    });
    const none = (line, header) => new RegExp(at('src/gen/emit.c', line, header).source + 'no such file');
    assertProblems(r, [none(1, 'gen/missing.h'), none(2, 'lake/nope.h'), none(3, '../base/hash.h'), none(4, 'hash.h')]);
  });

  test('a folder, sub-folder or public header the rules do not know is reported', () => {
    const r = check({
      'src/etl/run.c': inc('lake/common.h'),
      'src/engine/plan/plan.c': inc('engine/engine.h'),
      'include/lake/etl.h': inc('lake/common.h'),
      'src/stray.c': inc('lake/common.h'),
    });
    assertProblems(r, [
      /\/include\/lake\/etl\.h: public header without an owner: add "public lake\/etl\.h: FOLDER"/,
      /\/src\/engine\/plan\/: folder engine\/plan has no line in .*layers\.txt$/,
      /\/src\/etl\/: folder etl has no line in .*layers\.txt$/,
      /\/src\/stray\.c: a file outside every folder/,
    ]);
  });

  test('a rules file whose lines are out of order or malformed is a usage error (exit 2)', () => {
    const cases = [
      ['base: codec\ncodec: base\n', /layers-0\.txt:1: "codec" must have its line above this one/],
      ['base:\nbase: base\n', /layers-1\.txt:2: base already has a line \(line 1\)/],
      ['base:\nengine: base\nengine/load: base\n', /layers-2\.txt:3: a sub-folder line may name only folders inside engine\//],
      ['base\n', /layers-3\.txt:1: expected "FOLDER: USES\.\.\."/],
      ['base:\npublic lake/common.h: nowhere\n', /layers-4\.txt:2: lake\/common\.h belongs to "nowhere", which has no line/],
    ];
    cases.forEach(([text, want], i) => {
      const rules = join(tmp, `layers-${i}.txt`);
      writeFileSync(rules, text);
      const r = check({}, { rules });
      assert.equal(r.status, 2, `${text}: ${r.stderr}`);
      assert.match(r.stderr, want);
    });
  });
});
