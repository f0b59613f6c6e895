// The command line behaves as it says (issue 22): usage errors are one line naming the flag and
// exit 2 for every command, whatever the mistake; locations are checked before any input is read;
// lake gen says what it wrote and refuses to mix old and new data; --verbose shows the run's
// detail; --compression-level names the codec's real range once.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertOneLineError, gen, lake, run, tempDir } from './lib/lake.mjs';

/** Asserts a usage error: exit 2, stdout empty, stderr one line matching pattern and the hint. */
function assertUsage(args, pattern) {
  const r = lake(args);
  const what = `lake ${args.map((a) => (a === '' ? "''" : a)).join(' ')}`;
  assert.equal(r.status, 2, `${what}: exit ${r.status}, expected 2\n${r.stderr}`);
  assert.equal(r.stdout, '', `${what}: stdout`);
  const lines = r.stderr.split('\n').filter((l) => l.length);
  assert.equal(lines.length, 2, `${what}: one line and the hint, got\n${r.stderr}`);
  assert.match(lines[0], pattern, what);
  assert.equal(lines[1], `(see 'lake ${args[0]} --help')`, what);
}

describe('option mistakes are one usage error naming the flag, for every command', () => {
  test('an option at the end without its value', () => {
    assertUsage(['run', '--output', '/tmp/x', '--input'], /^lake run: --input needs a value$/);
    assertUsage(['run', '-i'], /^lake run: --input needs a value$/);
    assertUsage(['run', '--input', 'x', '--output', 'y', '--threads'], /^lake run: --threads needs a value$/);
    assertUsage(['run', '--input', 'x', '--output', 'y', '--compression-level'],
      /^lake run: --compression-level needs a value$/);
    assertUsage(['run', '--input', 'x', '--output', 'y', '--endpoint-url'], /^lake run: --endpoint-url needs a value$/);
    assertUsage(['gen', '/tmp/x', '--songs'], /^lake gen: --songs needs a value$/);
    assertUsage(['inspect', 'x.parquet', '--endpoint-url'], /^lake inspect: --endpoint-url needs a value$/);
    assertUsage(['recover', '/tmp/x', '--wait-lock'], /^lake recover: --wait-lock needs a value$/);
    assertUsage(['ddl', '--output'], /^lake ddl: --output needs a value$/);
  });

  test('an option whose value is the next option', () => {
    assertUsage(['run', '--input', '--output', '/tmp/x'], /^lake run: --input needs a value, not the option --output$/);
    assertUsage(['gen', '--songs', '--events', '5', '/tmp/x'], /^lake gen: --songs needs a value, not the option --events$/);
  });

  test('an empty value', () => {
    assertUsage(['run', '--input', '', '--output', '/tmp/x'], /^lake run: --input is empty: it needs a value$/);
    assertUsage(['run', '--input=', '--output', '/tmp/x'], /^lake run: --input is empty: it needs a value$/);
    assertUsage(['run', '--input', '/tmp/x', '--output', ''], /^lake run: --output is empty: it needs a value$/);
    assertUsage(['run', '--input', '/tmp/x', '--output', '/tmp/y', '--summary-json', ''],
      /^lake run: --summary-json is empty: it needs a value$/);
    assertUsage(['gen', '/tmp/x', '--seed', ''], /^lake gen: --seed is empty: it needs a value$/);
  });

  test('an unknown option is named as given', () => {
    assertUsage(['run', '--inptu', 'x'], /^lake run: unknown option '--inptu'$/);
    assertUsage(['run', '-x'], /^lake run: unknown option '-x'$/);
    assertUsage(['run', '-qx'], /^lake run: unknown option '-x'$/);
    assertUsage(['run', '--input', 'x', '--output', 'y', '--quiet=yes'], /^lake run: --quiet takes no value$/);
    assertUsage(['inspect', '--bogus', 'x'], /^lake inspect: unknown option '--bogus'$/);
    assertUsage(['recover', '--bogus', 'x'], /^lake recover: unknown option '--bogus'$/);
  });
});

describe('--compression-level says the codec\'s real range, once', () => {
  test('a level the codec does not take names the flag and the codec\'s range, whatever the order', () => {
    const base = ['run', '--input', '/nonexistent-in', '--output', '/nonexistent-out'];
    assertUsage([...base, '--compression-level', '30', '-c', 'zstd'],
      /^lake run: --compression-level: zstd compression level 30 is outside -\d+\.\.22$/);
    assertUsage([...base, '-c', 'gzip', '--compression-level', '10'],
      /^lake run: --compression-level: gzip compression level 10 is outside 1\.\.9$/);
    assertUsage([...base, '--compression-level', '200'], /^lake run: --compression-level: snappy takes no compression level$/);
    assertUsage([...base, '-c', 'lz4_raw', '--compression-level', '1'],
      /^lake run: --compression-level: lz4_raw takes no compression level$/);
    assertUsage([...base, '--compression-level', 'high'], /^lake run: --compression-level expects an integer, got 'high'$/);
  });

  test('--help gives the ranges the check applies, and no other', () => {
    const help = lake(['run', '--help']).stdout;
    const block = help.slice(help.indexOf('--compression-level'), help.indexOf('--row-group-size'));
    assert.match(block, /zstd up to 22 \(negative levels are its fast\s+modes\), gzip 1\.\.9/);
    assert.doesNotMatch(block, /100/);
  });
});

describe('locations are checked before anything is read', () => {
  let tmp, input;
  before(() => {
    tmp = tempDir('lake-cli-loc-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 30, events: 300, seed: 3 });
  });
  after(() => tmp?.cleanup());

  test('an --input that does not exist or is a file: one line naming it, and no output made', () => {
    const out = join(tmp.dir, 'out-none');
    const nowhere = join(tmp.dir, 'nowhere');
    let line = assertOneLineError(run(nowhere, out), 'missing input');
    assert.equal(line, `lake run: --input ${nowhere}: no such directory`);
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    line = assertOneLineError(run(file, out), 'input is a file');
    assert.equal(line, `lake run: --input ${file} is not a directory`);
    assert.equal(existsSync(out), false, 'a failed check creates no output (no lock, no directory)');
  });

  test('an output nobody can write fails before the input is listed, and says why', () => {
    const summary = join(tmp.dir, 'proc.json');
    const r = run(input, '/proc/lake-out', ['--summary-json', summary]);
    const line = assertOneLineError(r, '/proc output');
    assert.equal(line, 'lake run: --output /proc/lake-out: cannot create anything in /proc (mkdir: No such file or directory)');
    const doc = JSON.parse(readFileSync(summary, 'utf8'));
    assert.equal(doc.status, 'failed');
    assert.equal(doc.error, line.slice('lake run: '.length));
    assert.equal(doc.input.song_objects + doc.input.log_objects, 0, 'nothing was listed');
    assert.equal(doc.run_id, null, 'the run never started');

    assert.match(assertOneLineError(run(input, '/proc/a/b/c'), 'deep /proc output'),
      /^lake run: --output \/proc\/a\/b\/c: cannot create anything in \/proc \(mkdir: /);
    assert.match(assertOneLineError(run(input, '/sys/lake-out'), '/sys output'),
      /^lake run: --output \/sys\/lake-out: cannot create anything in \/sys \(mkdir: /);
    const file = join(tmp.dir, 'out-file');
    writeFileSync(file, 'x');
    assert.equal(assertOneLineError(run(input, file), 'output is a file'),
      `lake run: --output ${file} exists and is not a directory`);
    assert.equal(assertOneLineError(run(input, join(file, 'sub')), 'output under a file'),
      `lake run: --output ${join(file, 'sub')}: ${file} is not a directory`);
  });

  test('a --summary-json that cannot be written fails first, with one line and nothing made', () => {
    const out = join(tmp.dir, 'out-summary');
    const file = join(tmp.dir, 'no-such-dir', 's.json');
    const line = assertOneLineError(run(input, out, ['--summary-json', file]), 'summary dir missing');
    assert.equal(line, `lake run: --summary-json ${file}: ${join(tmp.dir, 'no-such-dir')}: no such directory`);
    assert.equal(existsSync(out), false);
  });

  test('a new output below new directories is made, and the check leaves nothing behind', () => {
    const before = readdirSync(tmp.dir).sort();
    const out = join(tmp.dir, 'new', 'deep', 'out');
    const r = run(input, out, ['--quiet', '-c', 'zstd', '--compression-level', '-5']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(out, 'songs', '_SUCCESS')));
    assert.deepEqual(readdirSync(tmp.dir).sort(), [...before, 'new'].sort());
    assert.deepEqual(readdirSync(join(tmp.dir, 'new')), ['deep']);
    assert.deepEqual(readdirSync(join(tmp.dir, 'new', 'deep')), ['out']);
    assert.equal(readdirSync(out).filter((n) => n.startsWith('.lake-probe')).length, 0);
  });
});
