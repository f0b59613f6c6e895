// `lake run`'s progress line, on a real pseudo-terminal: lake runs in a tmux pane (Debian tmux,
// installed by scripts/deps.sh); tmux's pipe-pane records every byte lake wrote to the terminal
// and capture-pane shows what the terminal displays, during the run and after it. Without a
// terminal (a pipe, a log file) nothing is drawn unless --progress forces it; under mpirun only
// rank 0 draws.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { LAKE_BIN, gen, run, spawnAsync, tempDir } from './lib/lake.mjs';
import { MPI_ENV } from './lib/mpi_env.mjs';

const WIDTH = 150;
const STAGES = ['list', 'songs', 'events', 'transform', 'write', 'commit', 'cleanup'];

function tmux(sock, args) {
  const r = spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') throw new Error('tmux is missing: install Debian tmux (scripts/deps.sh)');
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const shellQuote = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

/**
 * Runs `lake ...args` in a fresh tmux server's pane of WIDTH columns and waits for it to end.
 * Returns the raw bytes lake wrote to the terminal, the screen after the run, the screens seen
 * while it ran (every 40 ms), and the wall seconds from start to end. Screens are whole: lines
 * that scrolled off are kept, and wrapped ones joined.
 */
async function inTmux(dir, name, args, { timeout = 120_000 } = {}) {
  const sock = `lake-progress-${process.pid}-${name}`;
  const raw = join(dir, `${name}.raw`);
  const script = join(dir, `${name}.sh`);
  // The command waits for 'go' so the pane's output is recorded from its first byte.
  writeFileSync(script, `tmux -L ${sock} wait-for go\n${[LAKE_BIN, ...args].map(shellQuote).join(' ')}\necho "EXIT=$?"\n`);
  const screens = [];
  try {
    tmux(sock, ['-f', '/dev/null', 'new-session', '-d', '-s', 'p', '-x', String(WIDTH), '-y', '50', `sh ${shellQuote(script)}`]);
    tmux(sock, ['set-option', '-t', 'p', 'remain-on-exit', 'on']);
    tmux(sock, ['pipe-pane', '-t', 'p', '-o', `cat > ${shellQuote(raw)}`]);
    const t0 = Date.now();
    tmux(sock, ['wait-for', '-S', 'go']);
    let wall = 0;
    for (;;) {
      // The whole pane, its history too, with wrapped lines joined.
      // (tmux's own note on a pane whose command ended is not lake's.)
      const screen = tmux(sock, ['capture-pane', '-p', '-J', '-S', '-', '-t', 'p']).replace(/^Pane is dead .*$/m, '');
      screens.push(screen);
      const done = /^EXIT=\d+/m.test(screen);
      if (done && !wall) wall = (Date.now() - t0) / 1000;
      if (done && existsSync(raw) && readFileSync(raw, 'latin1').includes('EXIT=')) break;
      if (Date.now() - t0 > timeout) {
        const got = existsSync(raw) ? JSON.stringify(readFileSync(raw, 'latin1').slice(-500)) : 'no raw file';
        throw new Error(`${name}: lake did not finish in ${timeout} ms\nscreen:\n${screen}\nraw: ${got}`);
      }
      await sleep(40);
    }
    const screen = screens.at(-1);
    return { raw: readFileSync(raw, 'latin1'), screen, screens, wall, exit: Number(/^EXIT=(\d+)/m.exec(screen)[1]) };
  } finally {
    spawnSync('tmux', ['-L', sock, 'kill-server']);
  }
}

/** The progress frames in bytes written to a terminal: each is \r, text, clear to end of line. */
function frames(raw) {
  return [...raw.matchAll(/\r([^\r\n\x1b]*)\x1b\[K/g)].map((m) => ({ text: m[1], at: m.index, end: m.index + m[0].length }));
}

const PROGRESS_LINE = /^(?:rank \d+ of \d+: )?(list|songs|events|transform|write|commit|cleanup) +.*elapsed \d+:\d\d/;

describe('lake run progress on a terminal (tmux)', () => {
  let tmp, input, result, summary;
  before(async () => {
    tmp = tempDir('lake-progress-');
    input = join(tmp.dir, 'in');
    // Enough files that the write stage takes a good part of a second with one thread.
    gen(input, { songs: 12000, events: 5000 });
    const json = join(tmp.dir, 'summary.json');
    result = await inTmux(tmp.dir, 'run', ['run', '--input', input, '--output', join(tmp.dir, 'out'),
      '--threads', '1', '--summary-json', json]);
    summary = JSON.parse(readFileSync(json, 'utf8'));
  });
  after(() => tmp?.cleanup());

  test('draws one line of stage, counts, elapsed and ETA, at most 10 times a second', () => {
    assert.equal(result.exit, 0, result.screen);
    const drawn = frames(result.raw).filter((f) => f.text);
    assert.ok(drawn.length >= 3, `progress was drawn (${drawn.length} frames in ${result.wall} s)\n${JSON.stringify(result.raw.slice(0, 2000))}`);
    for (const f of drawn) {
      assert.match(f.text, PROGRESS_LINE, 'each frame names its stage and the elapsed time');
      assert.ok(f.text.length <= WIDTH - 1, `a frame fits the ${WIDTH} columns: ${f.text}`);
    }
    // 10 redraws a second at most: the thread wakes every 100 ms and skips unchanged text.
    assert.ok(drawn.length <= Math.ceil(result.wall * 10) + 1, `${drawn.length} frames in ${result.wall} s`);
    const order = [...new Set(drawn.map((f) => PROGRESS_LINE.exec(f.text)[1]))];
    assert.deepEqual(order, [...order].sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b)), 'stages in run order');
    assert.ok(order.includes('write'), `the write stage was seen: ${order}`);
  });

  test('the write stage counts files and rows up to the rows the run wrote', () => {
    const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
    const writes = frames(result.raw).map((f) => /^write +([\d,]+) files +([\d,]+)\/([\d,]+) rows +[\d.]+ (?:B|kB|MB|GB)/.exec(f.text)).filter(Boolean);
    assert.ok(writes.length >= 2, 'several frames of the write stage');
    const num = (s) => Number(s.replaceAll(',', ''));
    let lastRows = 0;
    for (const [, files, done, total] of writes) {
      assert.equal(num(total), rows, 'rows to write: every table\'s rows');
      assert.ok(num(done) >= lastRows && num(done) <= rows, `rows written grow: ${done}`);
      assert.ok(num(files) <= Object.values(summary.tables).reduce((n, t) => n + t.files, 0));
      lastRows = num(done);
    }
    assert.ok(frames(result.raw).some((f) => /^write .* ETA \d+:\d\d$/.test(f.text)), 'an ETA is shown once the stage has run a while');
  });

  test('the line was on screen while lake ran, and is cleared before the summary', () => {
    const during = result.screens.filter((s) => !/^EXIT=/m.test(s));
    assert.ok(during.some((s) => s.split('\n').some((l) => PROGRESS_LINE.test(l))), 'a capture shows the progress line');
    const all = frames(result.raw);
    const clear = all.at(-1);
    assert.equal(clear.text, '', 'the last thing drawn is an empty line (cleared)');
    const summaryAt = result.raw.indexOf('lake run ');
    assert.ok(summaryAt > clear.end - 1, 'cleared before the summary is printed');
    const lines = result.screen.split('\n').filter((l) => l.trim());
    assert.ok(lines[0].startsWith(`lake run ${summary.run_id}:`), `the summary starts the screen:\n${result.screen}`);
    assert.equal(lines.filter((l) => /elapsed \d+:\d\d/.test(l)).length, 0, `no progress left on screen:\n${result.screen}`);
  });

  test('--quiet draws nothing on a terminal', async () => {
    const q = await inTmux(tmp.dir, 'quiet', ['run', '--input', input, '--output', join(tmp.dir, 'out-q'), '--quiet']);
    assert.equal(q.exit, 0);
    assert.equal(q.raw.replace(/EXIT=0\r?\n/, ''), '', 'no byte but the exit line');
  });

  test('a failing run clears the line before its one-line error', async () => {
    const bad = join(tmp.dir, 'bad-in');
    gen(bad, { songs: 6000, events: 3000, badRecords: true });
    const g = await inTmux(tmp.dir, 'fail2', ['run', '--input', bad, '--output', join(tmp.dir, 'out-g'),
      '--threads', '1', '--max-bad-records', '0']);
    assert.equal(g.exit, 1, g.screen);
    const lines = g.screen.split('\n').filter((l) => l.trim());
    assert.match(lines[0], /^lake run: \d+ of \d+ records are bad/, `the error starts the screen:\n${g.screen}`);
    assert.equal(lines.length, 2, `the error and the exit line only:\n${g.screen}`);
  });
});

describe('lake run progress without a terminal', () => {
  let tmp, input;
  before(() => {
    tmp = tempDir('lake-progress-pipe-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 6000, events: 3000 });
  });
  after(() => tmp?.cleanup());

  test('stderr to a log file stays empty', () => {
    const log = join(tmp.dir, 'log');
    const r = spawnSync('sh', ['-c', `${shellQuote(LAKE_BIN)} run --input ${shellQuote(input)} --output ${shellQuote(join(tmp.dir, 'o1'))} --threads 1 2>${shellQuote(log)}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^lake run /);
    assert.equal(readFileSync(log, 'latin1'), '', 'nothing on stderr');
  });

  test('--progress draws on a pipe, and clears the line at the end', () => {
    const r = run(input, join(tmp.dir, 'o2'), ['--threads', '1', '--progress']);
    assert.equal(r.status, 0, r.stderr);
    const f = frames(r.stderr);
    assert.ok(f.filter((x) => x.text).length >= 1, `frames on stderr: ${JSON.stringify(r.stderr.slice(0, 500))}`);
    assert.equal(f.map((x) => r.stderr.slice(x.at, x.end)).join(''), r.stderr, 'stderr holds frames only');
    assert.equal(f.at(-1).text, '', 'the last frame clears the line');
    assert.match(r.stdout, /^lake run /);
  });
});

describe('lake run progress under mpirun', () => {
  let tmp, input;
  before(() => {
    tmp = tempDir('lake-progress-mpi-');
    input = join(tmp.dir, 'in');
    gen(input, { songs: 6000, events: 3000 });
  });
  after(() => tmp?.cleanup());

  test('only rank 0 draws, labelled with its rank of the job', async () => {
    const env = { ...process.env, ...MPI_ENV };
    const r = await spawnAsync('mpirun', ['--oversubscribe', '-np', '2', LAKE_BIN, 'run', '--input', input,
      '--output', join(tmp.dir, 'out'), '--threads', '1', '--progress'], { env });
    assert.equal(r.status, 0, r.stderr);
    const drawn = frames(r.stderr).filter((f) => f.text);
    assert.ok(drawn.length >= 1, `rank 0 drew: ${JSON.stringify(r.stderr.slice(0, 500))}`);
    for (const f of drawn) assert.match(f.text, /^rank 0 of 2: /, f.text);
    assert.doesNotMatch(r.stderr, /rank 1 of 2/);
  });
});
