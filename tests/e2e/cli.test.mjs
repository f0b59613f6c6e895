// The command line behaves as it says (issue 22): usage errors are one line naming the flag and
// exit 2 for every command, whatever the mistake; locations are checked before any input is read;
// lake gen says what it wrote and refuses to mix old and new data; --verbose shows the run's
// detail; --compression-level names the codec's real range once.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertOneLineError, gen, lake, lakeOk, run, tempDir } from './lib/lake.mjs';
import { snapshotDir } from './lib/output.mjs';

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

  test('lake gen and lake recover check their directory the same way', () => {
    assert.equal(assertOneLineError(lake(['gen', '/proc/lake-gen']), 'gen into /proc'),
      'lake gen: /proc/lake-gen: cannot create anything in /proc (mkdir: No such file or directory)');
    const file = join(tmp.dir, 'gen-file');
    writeFileSync(file, 'x');
    assert.equal(assertOneLineError(lake(['gen', join(file, 'in')]), 'gen below a file'),
      `lake gen: ${join(file, 'in')}: ${file} is not a directory`);
    const nowhere = join(tmp.dir, 'never-written');
    assert.equal(assertOneLineError(lake(['recover', nowhere]), 'recover a missing output'),
      `lake recover: ${nowhere}: no such directory`);
    assert.equal(existsSync(nowhere), false, 'recover made no directory (nor a lock in it)');
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

/** Files below dir/sub (recursively). */
const filesUnder = (dir, sub) => readdirSync(join(dir, sub), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).length;

describe('lake gen says what it wrote and never mixes old and new data', () => {
  let tmp;
  before(() => {
    tmp = tempDir('lake-cli-gen-');
  });
  after(() => tmp?.cleanup());

  // What lake run counts in what gen wrote: objects, records, bad records.
  function runCounts(input, tag) {
    const r = lakeOk(['run', '--input', input, '--output', join(tmp.dir, `out-${tag}`), '--threads', '2']);
    const objects = /: (\d+) song objects, (\d+) log objects/.exec(r.stdout);
    const records = /records: (\d+) songs, (\d+) events \(\d+ NextSong\), (\d+) bad/.exec(r.stdout);
    assert.ok(objects && records, r.stdout);
    return { songFiles: +objects[1], logFiles: +objects[2], songs: +records[1], events: +records[2], bad: +records[3] };
  }

  for (const [tag, extra, opts] of [
    ['default', [], {}],
    ['bad', ['--bad-records'], { bad: true }],
    ['plain', ['--no-edge-cases'], { plain: true }],
    ['plain-bad', ['--no-edge-cases', '--bad-records'], { plain: true, bad: true }],
  ]) {
    test(`the files and records of each kind it reports are those lake run reads (${tag})`, () => {
      const dir = join(tmp.dir, `in-${tag}`);
      const r = lakeOk(['gen', dir, '--songs', '71', '--events', '800', '--seed', '5', ...extra]);
      const lines = r.stdout.trimEnd().split('\n');
      const m = /^lake gen: wrote (\d+) song records in (\d+) files and (\d+) events in (\d+) files \([\d.]+ MB\) to (.*)$/
        .exec(lines[0]);
      assert.ok(m, r.stdout);
      const said = { songs: +m[1], songFiles: +m[2], events: +m[3], logFiles: +m[4] };
      assert.equal(m[5], dir);
      assert.equal(said.songFiles, filesUnder(dir, 'song_data'));
      assert.equal(said.logFiles, filesUnder(dir, 'log_data'));
      const seen = runCounts(dir, tag);
      assert.deepEqual(said, { songs: seen.songs, songFiles: seen.songFiles, events: seen.events, logFiles: seen.logFiles });
      if (opts.plain && !opts.bad) {
        assert.equal(lines.length, 1, 'plain data is exactly what was asked');
        assert.deepEqual([said.songs, said.events], [71, 800]);
        return;
      }
      assert.equal(lines.length, 2, r.stdout);
      const x = /^ {2}beyond --songs 71 and --events 800: (\d+) song records and (\d+) events of (edge cases|edge cases and bad records|bad records)(?:, (\d+) of them bad \(lake run rejects them\))?$/
        .exec(lines[1]);
      assert.ok(x, lines[1]);
      assert.deepEqual([+x[1], +x[2]], [said.songs - 71, said.events - 800]);
      assert.equal(x[3], opts.plain ? 'bad records' : opts.bad ? 'edge cases and bad records' : 'edge cases');
      assert.equal(Number(x[4] ?? 0), seen.bad, 'the bad records it announces are those lake run rejects');
      assert.equal(seen.bad > 0, Boolean(opts.bad));
    });
  }

  test('a directory that already holds data is refused with one line naming it, and left as it was', async () => {
    const dir = join(tmp.dir, 'in-twice');
    lakeOk(['gen', dir, '--songs', '20', '--events', '200', '--seed', '1']);
    const snap = await snapshotDir(dir);
    const line = assertOneLineError(lake(['gen', dir, '--songs', '30', '--events', '300', '--seed', '2']), 'second gen');
    assert.equal(line, `lake gen: ${dir} already holds song_data/ and log_data/: new files would mix with the old ones ` +
      '(lake gen --force replaces them)');
    assert.deepEqual(await snapshotDir(dir), snap, 'the refused gen changed the directory');

    rmSync(join(dir, 'song_data'), { recursive: true });
    assert.match(assertOneLineError(lake(['gen', dir]), 'log_data only'), /already holds log_data\/: new files/);
  });

  test('--force replaces the datasets: the result is what gen writes into an empty directory', async () => {
    const dir = join(tmp.dir, 'in-force');
    lakeOk(['gen', dir, '--songs', '60', '--events', '900', '--seed', '3', '--bad-records']);
    writeFileSync(join(dir, 'README.txt'), 'not a dataset: kept\n');
    lakeOk(['gen', dir, '--songs', '20', '--events', '200', '--seed', '4', '--force']);
    const fresh = join(tmp.dir, 'in-fresh');
    lakeOk(['gen', fresh, '--songs', '20', '--events', '200', '--seed', '4']);
    const got = await snapshotDir(dir);
    assert.equal(got['README.txt'] !== undefined, true, 'objects beside the datasets stay');
    delete got['README.txt'];
    assert.deepEqual(got, await snapshotDir(fresh));
  });

  test('an existing empty directory, or one with other things in it, is fine', () => {
    const dir = join(tmp.dir, 'in-other');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    lakeOk(['gen', dir, '--songs', '10', '--events', '100']);
    assert.ok(existsSync(join(dir, 'song_data')) && existsSync(join(dir, 'log_data')));
  });
});

describe('--verbose on a local run', () => {
  let tmp, input;
  before(() => {
    tmp = tempDir('lake-cli-verbose-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 80, events: 900, seed: 12, badRecords: true });
  });
  after(() => tmp?.cleanup());

  // The summary without what changes from run to run (run id, times).
  const steady = (stdout) => stdout.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'UUID').split('\n')
    .filter((l) => !/^ {2}(time|cpu):/.test(l)).join('\n');

  test('prints the settings first and each stage, table and reject reason after, on stderr only', () => {
    const plain = run(input, join(tmp.dir, 'out-plain'), ['--threads', '2', '-c', 'zstd']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stderr, '', 'without --verbose a local run prints nothing on stderr');
    const r = run(input, join(tmp.dir, 'out-verbose'), ['--threads', '2', '-c', 'zstd', '--verbose']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(steady(r.stdout), steady(plain.stdout), 'stdout is the same summary with or without --verbose');

    const err = r.stderr;
    assert.ok(err.startsWith(`lake run: reading ${input}, writing ${join(tmp.dir, 'out-verbose')} (overwrite`), err);
    assert.match(err, /^ {2}threads: 2$/m);
    assert.match(err, /^ {2}parquet: zstd, row groups 128 MiB, pages 1024 KiB, timestamps micros, dictionary on/m);
    const sum = /: (\d+) song objects, (\d+) log objects/.exec(r.stdout);
    const rec = /records: (\d+) songs, (\d+) events \((\d+) NextSong\), (\d+) bad/.exec(r.stdout);
    const runId = /^lake run ([0-9a-f-]{36}):/.exec(r.stdout)[1];
    assert.match(err, new RegExp(`^lake run ${runId}: stages$`, 'm'));
    assert.match(err, new RegExp(`^ {2}list +[\\d.]+ s wall +[\\d.]+ s cpu \\( *[\\d.]+ cores\\) {2}${sum[1]} song objects, ${sum[2]} log objects, `, 'm'));
    assert.match(err, new RegExp(`^ {2}songs .* {2}${rec[1]} song records$`, 'm'));
    assert.match(err, new RegExp(`^ {2}events .* {2}${rec[2]} events, ${rec[3]} NextSong$`, 'm'));
    for (const stage of ['transform', 'write', 'commit', 'cleanup', 'total']) {
      assert.match(err, new RegExp(`^ {2}${stage} +[\\d.]+ s wall`, 'm'), stage);
    }
    for (const [, table, rows, files] of r.stdout.matchAll(/^ {2}(songs|artists|users|time|songplays) +(\d+) rows +(\d+) files$/gm)) {
      assert.match(err, new RegExp(`^ {2}${table} +${rows} rows, ${files} files, [\\d.]+ [kM]B, \\d+ partitions$`, 'm'), table);
    }
    assert.match(err, /^ {13}largest {2}year=\d+\/artist_id=\S+: \d+ rows in \d+ files, /m);
    const reasons = [...err.matchAll(/^ +(\d+) {2}(\S.*)$/gm)].filter(([, , why]) => !/ rows|wall/.test(why));
    assert.equal(reasons.reduce((n, [, c]) => n + Number(c), 0), Number(rec[4]), 'rejects by reason add up to the bad records');
    assert.ok(reasons.some(([, , why]) => why === 'NextSong event without ts'), err);
  });

  test('--help says what --verbose does beyond S3', () => {
    const help = lake(['run', '--help']).stdout;
    assert.match(help, /-v, --verbose +on stderr: one line per S3 request \(never credentials\); lake\s+run also prints its settings/);
  });
});
