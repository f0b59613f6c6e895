// The man page (docs/lake.1) says what `lake --help` and every `lake COMMAND --help` say: each
// option, as the help writes it ("-i, --input DIR"), is a term of its command's section (the
// object store options of the STORE OPTIONS section, which names every command that takes them),
// and groff renders the page without a warning. The page is written by hand; this test is what
// keeps it in step with the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lakeOk } from './lib/lake.mjs';

const ROOT = resolve(new URL('.', import.meta.url).pathname, '../..');
const PAGE = join(ROOT, 'docs/lake.1');

/** groff's rendering of a man page source as plain text, and its warnings (all of them: -ww). */
function render(source) {
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-rLL=200n', '-P-cbou'],
    { input: source, encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') throw new Error('groff not found (Debian package groff-base; make deps installs it)');
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `groff exited ${r.status}: ${r.stderr}`);
  // Hyphens and minus signs as typed.
  return { text: r.stdout.replace(/[\u2010\u2011\u2012\u2013\u2212]/g, '-'), warnings: r.stderr };
}

/**
 * Options of one --help text: { own: [...], store: [...] }, each the option's term as the help
 * writes it ("-i, --input DIR", "--json"). Terms after the line "Object store options ..." are the
 * store options every S3-capable command shares.
 */
export function helpOptions(help) {
  const out = { own: [], store: [] };
  let group = 'own';
  for (const line of help.split('\n')) {
    if (/^Object store options/.test(line)) group = 'store';
    const m = line.match(/^ {1,8}((?:-[A-Za-z0-9], )?--[a-z0-9][A-Za-z0-9-]*(?: [A-Za-z.]+)?)(?: {2,}|$)/);
    if (m) out[group].push(m[1]);
  }
  return out;
}

/** Rendered man text cut into sections: { 'NAME': text, ..., 'COMMANDS/lake run ...': text }. */
export function manSections(text) {
  const sections = {};
  let sh = '';
  let key = '';
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) { sh = line.trim(); key = sh; } else if (/^ {3}\S/.test(line)) key = `${sh}/${line.trim()}`;
    sections[key] = `${sections[key] ?? ''}${line}\n`;
  }
  return sections;
}

/** The COMMANDS subsection of `lake CMD` ('' for the top-level options). */
function commandSection(sections, cmd) {
  const name = cmd ? `COMMANDS/lake ${cmd} ` : 'COMMANDS/lake --help';
  const key = Object.keys(sections).find((k) => k.startsWith(name));
  return key ? sections[key] : null;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isTerm = (section, term) => new RegExp(`^\\s+${escape(term)}(\\s|$)`, 'm').test(section);

/**
 * What the man text (rendered) lacks of the help texts ({ '': lake --help, run: lake run --help,
 * ... }): one line per missing command section, option term or store-option mention.
 */
export function missingFromPage(helps, manText) {
  const sections = manSections(manText);
  const store = sections['STORE OPTIONS'] ?? '';
  const problems = [];
  for (const [cmd, help] of Object.entries(helps)) {
    const who = cmd ? `lake ${cmd}` : 'lake';
    const section = commandSection(sections, cmd);
    if (section === null) {
      problems.push(`${who}: no section in COMMANDS`);
      continue;
    }
    const { own, store: shared } = helpOptions(help);
    for (const term of own) if (!isTerm(section, term)) problems.push(`${who}: no term "${term}"`);
    for (const term of shared) if (!isTerm(store, term)) problems.push(`${who}: no term "${term}" in STORE OPTIONS`);
    if (shared.length && !store.replace(/\s+/g, ' ').includes(who)) {
      problems.push(`${who}: STORE OPTIONS does not name it`);
    }
  }
  return problems;
}

/** `lake --help` and `lake COMMAND --help` for every command `lake --help` lists. */
function helpTexts() {
  const top = lakeOk(['--help']).stdout;
  const commands = [...top.split('Commands:')[1].split('\n\n')[0].matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]);
  assert.ok(commands.length >= 5, `lake --help lists ${commands}`);
  return Object.fromEntries([['', top], ...commands.map((c) => [c, lakeOk([c, '--help']).stdout])]);
}

test('groff renders docs/lake.1 without a warning', () => {
  const { text, warnings } = render(readFileSync(PAGE, 'utf8'));
  assert.equal(warnings, '', 'groff -ww warns');
  const sections = manSections(text);
  for (const sh of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'STORE OPTIONS', 'RUNNING UNDER MPIRUN',
    'EXIT STATUS', 'ENVIRONMENT', 'FILES']) {
    assert.ok(sh in sections, `no section ${sh}`);
  }
  for (const code of ['0', '1', '2', '3']) assert.ok(isTerm(sections['EXIT STATUS'], code), `exit status ${code}`);
});

test('every option of every --help is in the man page, in its command\'s section', () => {
  const helps = helpTexts();
  // camelCase options (S3DistCp's names) count too
  assert.ok(helpOptions(helps.run).store.includes('--storageClass CLASS'), 'lake run --help: --storageClass CLASS');
  const counted = Object.values(helps).reduce((n, h) => n + helpOptions(h).own.length + helpOptions(h).store.length, 0);
  assert.ok(counted > 40, `only ${counted} options found in the help texts`);
  assert.deepEqual(missingFromPage(helps, render(readFileSync(PAGE, 'utf8')).text), []);
});

test('the checks find what is missing', () => {
  const helps = helpTexts();
  const source = readFileSync(PAGE, 'utf8');
  // recover's --wait-lock gone (run's stays), a store option gone, lake gen not named for them.
  const cut = source
    .replace(/(\.SS "lake recover[^\n]*\n[\s\S]*?)\.TP\n\.BI \\-\\-wait\\-lock " SECONDS"\n[^\n]*\n/, '$1')
    .replace(/\.TP\n\.B \\-\\-no\\-sign\\-request\n[^\n]*\n/, '')
    .replace('.BR "lake gen" ,\n', '');
  assert.notEqual(cut, source);
  assert.deepEqual(missingFromPage(helps, render(cut).text).sort(), [
    'lake distcp: no term "--no-sign-request" in STORE OPTIONS',
    'lake gen: STORE OPTIONS does not name it',
    'lake gen: no term "--no-sign-request" in STORE OPTIONS',
    'lake inspect: no term "--no-sign-request" in STORE OPTIONS',
    'lake prefixes: no term "--no-sign-request" in STORE OPTIONS',
    'lake recover: no term "--no-sign-request" in STORE OPTIONS',
    'lake recover: no term "--wait-lock SECONDS"',
    'lake run: no term "--no-sign-request" in STORE OPTIONS',
  ]);

  // A new option in a help text, and a new command.
  const more = { ...helps, run: helps.run.replace('  -q, --quiet', '      --colour WHEN          x\n  -q, --quiet'), zap: 'usage: lake zap\n' };
  assert.deepEqual(missingFromPage(more, render(source).text).sort(),
    ['lake run: no term "--colour WHEN"', 'lake zap: no section in COMMANDS']);

  // groff's warnings are seen (a misspelt macro).
  assert.match(render(`${source}.Tp\nx\n`).warnings, /warning: macro 'Tp' not defined/);
});

