// `lake run --report FILE.html` in a real browser: Debian's Chromium, driven by playwright-core,
// opens the page from disk and must log no error and request nothing but the file itself; every
// figure the page shows (its data-field and data-value attributes, and the text shown) must be the
// JSON summary's (--summary-json) of the same run, and the key figures must all be there. A
// screenshot of each page is kept (its path is printed) for people to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { LAKE_BIN, gen, run, spawnAsync, tempDir } from './lib/lake.mjs';
import { MPI_ENV } from './lib/mpi_env.mjs';

const CHROMIUM = process.env.LAKE_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian chromium (scripts/deps.sh)`);

const TABLES = ['songs', 'artists', 'users', 'time', 'songplays'];
const STAGES = ['list', 'songs', 'events', 'transform', 'write', 'commit', 'cleanup', 'total'];

// Screenshots outlive the test's temporary directories, so they can be looked at afterwards.
const SHOTS = mkdtempSync(join(tmpdir(), 'lake-report-screenshots-'));

const at = (doc, path) => path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), doc);

/** Opens file in a new page; returns what the page showed and what it asked for. */
async function openReport(browser, file, shot) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  const figures = await page.$$eval('[data-field]', (els) => els.map((e) => ({
    field: e.getAttribute('data-field'), value: e.getAttribute('data-value'),
    format: e.getAttribute('data-format'), text: e.textContent,
  })));
  const embedded = await page.$eval('#lake-summary', (e) => e.textContent);
  const bars = await page.$$eval('.hist', (hs) => Object.fromEntries(hs.map((h) => [h.id.slice(5), h.querySelectorAll('svg rect').length])));
  const title = await page.title();
  const text = await page.$eval('body', (b) => b.innerText);
  await page.screenshot({ path: shot, fullPage: true });
  await page.close();
  console.log(`report screenshot: ${shot}`);
  return { url, errors, requests, figures, embedded, bars, title, text };
}

// Independent readings of the page's formats (docs: en-US grouping, decimal byte units).
const UNITS = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
function readSize(text) {
  const m = /^([\d,]+(?:\.\d+)?) (B|kB|MB|GB|TB|KiB|MiB|GiB)$/.exec(text);
  return m ? { n: Number(m[1].replaceAll(',', '')) * UNITS[m[2]], digits: m[1] } : null;
}
function readSeconds(text) {
  let m = /^(\d+(?:\.\d+)?) (ms|s)$/.exec(text);
  if (m) return Number(m[1]) * (m[2] === 'ms' ? 1e-3 : 1);
  m = /^(\d+) min (\d\d) s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Each figure's value is the JSON's at its path, and its text shows that value. */
function checkFigure(doc, f) {
  const v = at(doc, f.field);
  const where = `${f.field} ("${f.text}")`;
  assert.notEqual(v, undefined, `${where}: no such field in the JSON summary`);
  assert.equal(f.value, v === null ? 'null' : String(v), `${where}: data-value`);
  switch (f.format) {
    case 'count':
      assert.equal(f.text, v.toLocaleString('en-US'), `${where}: a count with thousands separators`);
      break;
    case 'bytes':
    case 'ibytes': {
      const s = readSize(f.text);
      assert.ok(s, `${where}: a size with a unit`);
      assert.ok(Math.abs(s.n - v) <= Math.max(0.006 * v, 0.5), `${where}: ${s.n} vs ${v}`);
      break;
    }
    case 'seconds': {
      const s = readSeconds(f.text);
      assert.ok(s !== null, `${where}: a duration`);
      assert.ok(Math.abs(s - v) <= Math.max(0.01 * v, 0.0006), `${where}: ${s} vs ${v}`);
      break;
    }
    case 'percent':
      assert.ok(Math.abs(Number(f.text.replace('%', '')) - v * 100) <= 0.5, `${where}: percent of ${v}`);
      break;
    case 'text':
      assert.equal(f.text, v === null ? 'none' : String(v), `${where}: text`);
      break;
    default:
      assert.fail(`${where}: unknown format ${f.format}`);
  }
}

/** The figures a reader must find on the page of doc. */
function requiredFields(doc) {
  const need = ['status', 'run_id', 'lake_version', 'input.song_objects', 'input.log_objects', 'input.bytes',
    'input.compressed_objects', 'input.compressed_bytes', 'records.songs', 'records.events', 'records.nextsong',
    'rejects.total', 'bytes_written', 'options.input', 'options.output', 'options.mode', 'options.threads',
    'options.compression', 'options.row_group_bytes', 'environment.host', 'environment.cpus',
    'environment.memory_bytes', 'environment.started_at', 'cluster.ranks'];
  for (const s of STAGES) need.push(`stages.${s}.wall_s`, `stages.${s}.cpu_s`);
  for (const t of TABLES) {
    need.push(`tables.${t}.rows`, `tables.${t}.files`, `tables.${t}.bytes`, `tables.${t}.partitions`);
    if (doc.tables[t].largest_partition?.dir)
      doc.tables[t].partition_rows_histogram.forEach((b, i) => b.partitions && need.push(`tables.${t}.partition_rows_histogram.${i}.partitions`));
  }
  doc.rejects.by_reason.forEach((_, i) => need.push(`rejects.by_reason.${i}.reason`, `rejects.by_reason.${i}.count`,
    `rejects.by_reason.${i}.first.object`, `rejects.by_reason.${i}.first.line`));
  doc.rejects.examples.forEach((_, i) => need.push(`rejects.examples.${i}.object`, `rejects.examples.${i}.line`, `rejects.examples.${i}.reason`));
  doc.cluster.per_rank.forEach((_, i) => ['rank', 'records', 'bytes_read', 'rows', 'bytes_sent', 'peak_rss', 'wall_s', 'cpu_s']
    .forEach((k) => need.push(`cluster.per_rank.${i}.${k}`)));
  if (doc.error !== null) need.push('error');
  return need;
}

/** Everything the tests check of one page against the JSON summary of its run. */
function checkPage(page, doc) {
  assert.deepEqual(page.errors, [], 'no console errors');
  assert.deepEqual(page.requests, [page.url], 'no request but the page itself');
  assert.deepEqual(JSON.parse(page.embedded), doc, 'the page holds the JSON summary of the run');
  for (const f of page.figures) checkFigure(doc, f);
  const shown = new Set(page.figures.map((f) => f.field));
  const missing = requiredFields(doc).filter((f) => !shown.has(f));
  assert.deepEqual(missing, [], 'figures the page must show');
  for (const t of TABLES) {
    if (!doc.tables[t].largest_partition?.dir) continue;
    assert.equal(page.bars[t], doc.tables[t].partition_rows_histogram.length, `${t}: one bar per size class`);
  }
  assert.match(page.title, new RegExp(`^lake run .* ${doc.status}$`));
}

describe('lake run --report in Chromium', () => {
  let tmp, browser;
  before(async () => {
    tmp = tempDir('lake-report-');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    tmp?.cleanup();
  });

  async function runWithReport(name, input, extra, { expectStatus = 0, runner = run } = {}) {
    const json = join(tmp.dir, `${name}.json`);
    const html = join(tmp.dir, `${name}.html`);
    const r = await runner(input, join(tmp.dir, `${name}-out`), [...extra, '--summary-json', json, '--report', html]);
    assert.equal(r.status, expectStatus, r.stderr);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    const page = await openReport(browser, html, join(SHOTS, `${name}.png`));
    return { doc, page, html, r };
  }

  test('a run with bad records, compressed input and partitions of many sizes', async () => {
    const input = join(tmp.dir, 'in');
    gen(input, { songs: 400, events: 4000, badRecords: true });
    // An object whose name could end the page's JSON block if it were not escaped.
    const evil = join(input, 'log_data', '2018', '11', '<!--<script>x<b>.json');
    writeFileSync(evil, '{"page":"NextSong","ts":"soon"}\n');
    const { doc, page, html } = await runWithReport('run', input, ['--threads', '2']);
    assert.equal(doc.status, 'succeeded');
    assert.ok(doc.rejects.total > 0 && doc.input.compressed_objects > 0 && doc.tables.time.partition_rows_histogram.length > 3);
    assert.ok(doc.rejects.examples.some((e) => e.object.includes('<!--<script>')), 'the odd name is among the examples');
    assert.ok(!readFileSync(html, 'utf8').includes('<!--<script>x'), 'written escaped in the page');
    checkPage(page, doc);
    assert.ok(page.text.includes('log_data/2018/11/<!--<script>x<b>.json'), 'and shown as it is');
    for (const heading of ['Stage timeline', 'Tables written', 'Partition sizes', 'Rejected records', 'Input', 'Options and environment'])
      assert.ok(page.text.includes(heading), heading);
    assert.ok(statSync(join(SHOTS, 'run.png')).size > 50_000, 'the screenshot shows a page');
  });

  test('a failed run: the page says so, with the error', async () => {
    const input = join(tmp.dir, 'in-bad');
    gen(input, { songs: 60, events: 600, badRecords: true });
    const { doc, page } = await runWithReport('failed', input, ['--max-bad-records', '0'], { expectStatus: 1 });
    assert.equal(doc.status, 'failed');
    checkPage(page, doc);
    assert.ok(page.text.includes(`The run failed: ${doc.error}`));
  });

  test('a cluster run (mpirun -np 2): the per-rank table', async () => {
    const input = join(tmp.dir, 'in-mpi');
    gen(input, { songs: 300, events: 3000, badRecords: true });
    const env = { ...process.env, ...MPI_ENV };
    const mpirun = (i, o, extra) => spawnAsync('mpirun', ['--oversubscribe', '-np', '2', LAKE_BIN, 'run',
      '--input', i, '--output', o, '--threads', '1', ...extra], { env });
    const { doc, page } = await runWithReport('mpi', input, [], { runner: mpirun });
    assert.equal(doc.cluster.ranks, 2);
    assert.equal(doc.cluster.per_rank.length, 2);
    assert.equal(doc.cluster.per_rank.reduce((n, r) => n + r.rows, 0), TABLES.reduce((n, t) => n + doc.tables[t].rows, 0));
    checkPage(page, doc);
    assert.ok(page.text.includes('Ranks'));
  });
});

after(() => console.log(`report screenshots in ${SHOTS}`));
