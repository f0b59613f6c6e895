// The docs a clone has must be whole: the table contract is docs/spec.md, and every relative link
// in the README and in docs/*.md names a file (and, for #anchors into Markdown, a heading) that
// exists inside the repository. Links to the web are not fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(new URL('.', import.meta.url).pathname, '../..');

/** Markdown text without fenced code blocks and inline code spans (links there are not links). */
function stripCode(md) {
  return md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Targets of inline links and images, and of reference definitions (`[x]: target`). */
export function linkTargets(md) {
  const text = stripCode(md);
  const out = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)) out.push(m[1]);
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(md) {
  return new Set([...stripCode(md).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)].map((m) => slug(m[1])));
}

/**
 * Problems with the relative links of one Markdown file (path relative to root): a target outside
 * root, a file that does not exist, an anchor that names no heading.
 */
export function brokenLinks(root, file, md) {
  const problems = [];
  for (const target of linkTargets(md)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
    const [path, anchor] = target.split('#', 2);
    const abs = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file);
    const rel = relative(root, abs);
    if (rel === '..' || rel.startsWith(`..${sep}`)) {
      problems.push(`${file}: link ${target} points outside the repository`);
    } else if (!existsSync(abs)) {
      problems.push(`${file}: link ${target}: ${rel} does not exist`);
    } else if (anchor && abs.endsWith('.md') && statSync(abs).isFile() &&
               !anchors(readFileSync(abs, 'utf8')).has(anchor.toLowerCase())) {
      problems.push(`${file}: link ${target}: ${rel} has no heading #${anchor}`);
    }
  }
  return problems;
}

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

test('the table contract is in the repository as docs/spec.md', () => {
  const spec = readFileSync(join(ROOT, 'docs/spec.md'), 'utf8');
  for (const heading of ['## Input', '## Tables (Parquet)', '## Layout on disk or in the bucket', '## Bad records']) {
    assert.ok(spec.includes(`\n${heading}\n`), `docs/spec.md lacks "${heading}"`);
  }
  for (const table of ['songs', 'artists', 'users', 'time', 'songplays']) {
    assert.match(spec, new RegExp(`^\\| ${table} \\|`, 'm'), `docs/spec.md has no row for ${table}`);
  }
});

test('the README links the table contract inside the repository', () => {
  assert.ok(linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8')).includes('docs/spec.md'),
    'README.md has no link to docs/spec.md');
});

test('every relative link of README.md and docs/*.md names a file of the repository', () => {
  assert.ok(docs.length >= 5, `found only ${docs}`);
  const problems = docs.flatMap((f) => brokenLinks(ROOT, f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(problems, []);
});

test('the link check finds what is broken', () => {
  const md = [
    '[outside](../shared/SPEC.md) [missing](docs/nope.md) [ok](docs/spec.md) [web](https://x.org/a)',
    '![img](docs/missing.png) [anchor](docs/spec.md#bad-records) [bad anchor](docs/spec.md#nowhere)',
    '`[in code](docs/code.md)`',
    '```',
    '[fenced](docs/fenced.md)',
    '```',
    '[ref]: docs/ref-missing.md',
  ].join('\n');
  assert.deepEqual(brokenLinks(ROOT, 'README.md', md), [
    'README.md: link ../shared/SPEC.md points outside the repository',
    'README.md: link docs/nope.md: docs/nope.md does not exist',
    'README.md: link docs/missing.png: docs/missing.png does not exist',
    'README.md: link docs/spec.md#nowhere: docs/spec.md has no heading #nowhere',
    'README.md: link docs/ref-missing.md: docs/ref-missing.md does not exist',
  ]);
});
