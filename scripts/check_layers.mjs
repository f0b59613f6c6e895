#!/usr/bin/env node
// Include layering check (docs/architecture.md), run by `make layers` and `make test`:
//
//   node scripts/check_layers.mjs [--rules FILE] SRC INCLUDE
//
// Reads every `#include "..."` of the C and C++ files under SRC and INCLUDE/lake and prints one
// line per violation, `FILE:LINE: includes "HEADER": RULE`: a folder using a folder its line in
// the rules file (default: layers.txt next to this script) does not list, a private header
// included from outside its folder, a public header including a non-public one, an include that
// names no file, an include cycle. "lake/x.h" is INCLUDE/lake/x.h; any other "a/b.h" is SRC/a/b.h;
// <...> includes are not ours and are skipped. Exit status: 0 clean, 1 violations, 2 usage or
// rules-file error. Plain node, no packages: it runs before anything is built or installed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = /\.(c|cc|cpp|h|hh|hpp)$/;
const INCLUDE = /^\s*#\s*include\s*"([^"]*)"/;
const NAME = /^[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*$/;

class RulesError extends Error {}

const parentOf = (p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const under = (path, folder) => path === folder || path.startsWith(`${folder}/`);

// --- the rules file -----------------------------------------------------------------------------

/** Parses the rules file (format in its header); throws RulesError naming the line on a mistake. */
function parseRules(path, shown) {
  const layers = new Map(); // folder (or PARENT/*) -> { uses, line, text }
  const owners = new Map(); // 'lake/x.h' -> { folder, line }
  const privates = []; // { path, folders, line, text }
  const fail = (n, why) => {
    throw new RulesError(`${shown}:${n}: ${why}`);
  };
  readFileSync(path, 'utf8').split('\n').forEach((raw, i) => {
    const n = i + 1;
    const text = raw.replace(/#.*/, '').trim();
    if (!text) return;
    const m = /^(?:(public|private)\s+)?([^\s:]+)\s*:\s*(.*)$/.exec(text);
    if (!m) fail(n, `expected "FOLDER: USES...", "public HEADER: FOLDER" or "private PATH: FOLDER", got "${text}"`);
    const [, kind, key, rest] = m;
    const names = rest.split(/\s+/).filter(Boolean);
    for (const name of names) if (!NAME.test(name)) fail(n, `"${name}" is not a folder name`);
    if (kind === 'public') {
      if (!/^lake\/[^/]+$/.test(key)) fail(n, `a public header is named lake/NAME.h, not "${key}"`);
      if (names.length !== 1) fail(n, `a public header belongs to exactly one folder`);
      if (owners.has(key)) fail(n, `${key} already has an owner (line ${owners.get(key).line})`);
      owners.set(key, { folder: names[0], line: n });
    } else if (kind === 'private') {
      if (!NAME.test(key) || names.length === 0) fail(n, `expected "private PATH: FOLDER"`);
      privates.push({ path: key, folders: names, line: n, text });
    } else {
      if (!NAME.test(key) && !/^[A-Za-z0-9_.+/-]+\/\*$/.test(key)) fail(n, `"${key}" is not a folder name`);
      if (layers.has(key)) fail(n, `${key} already has a line (line ${layers.get(key).line})`);
      layers.set(key, { uses: names, line: n, text });
    }
  });
  const rules = { layers, owners, privates };
  checkOrder(rules, fail);
  return rules;
}

/** The line that governs folder `f`: its own, its parent's PARENT/*, or its nearest ancestor's. */
function lineOf(layers, f) {
  if (layers.has(f)) return layers.get(f);
  if (f.includes('/') && layers.has(`${parentOf(f)}/*`)) return layers.get(`${parentOf(f)}/*`);
  for (let p = parentOf(f); p; p = parentOf(p)) if (layers.has(p)) return layers.get(p);
  return null;
}

/** Lower layers first: every folder a line names has its line above, so rules cannot cycle. */
function checkOrder({ layers, owners, privates }, fail) {
  for (const [key, { uses, line }] of layers) {
    const parent = parentOf(key);
    for (const u of uses) {
      if (u === 'lake') {
        if (parent) fail(line, `only a top-level folder may use "lake" (the public headers)`);
        continue;
      }
      if (parent && !under(u, parent)) fail(line, `a sub-folder line may name only folders inside ${parent}/`);
      const target = lineOf(layers, u);
      if (!target) fail(line, `"${u}" has no line`);
      if (target.line >= line) fail(line, `"${u}" must have its line above this one (lower layers first)`);
    }
  }
  for (const [header, { folder, line }] of owners) {
    if (!lineOf(layers, folder)) fail(line, `${header} belongs to "${folder}", which has no line`);
  }
  for (const { folders, line } of privates) {
    for (const f of folders) if (!lineOf(layers, f)) fail(line, `"${f}" has no line`);
  }
}

/** True when folder `p` is layered inside: some line names one of its sub-folders. */
function hasSubLines(layers, p) {
  for (const key of layers.keys()) if (parentOf(key) === p) return true;
  return false;
}

// --- the tree -----------------------------------------------------------------------------------

/** Source files and folders under `dir`, as paths relative to it with `/` separators. */
function walk(dir, rel = '', found = { files: [], folders: [] }) {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      found.folders.push(p);
      walk(dir, p, found);
    } else if (SOURCE.test(e.name)) {
      found.files.push(p);
    }
  }
  return found;
}

/** The quoted includes of one file: [{ line, name }]. */
function includesOf(path) {
  const out = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    const m = INCLUDE.exec(text);
    if (m) out.push({ line: i + 1, name: m[1] });
  });
  return out;
}

// --- the checks ---------------------------------------------------------------------------------

/**
 * Whether a file at layer path `s` may include one at layer path `t` (both like engine/load/x.h;
 * a public header's layer path is inside its owner). Walks down the folders both share; at the
 * first level where they part, the line of the including side decides. A file directly in a
 * folder may use everything inside that folder, and every file may use the files directly in
 * the folders above it. Returns null when allowed, else { from, to, rule }.
 */
function layerViolation(layers, s, t, targetPublic) {
  const sd = s.split('/').slice(0, -1);
  const td = t.split('/').slice(0, -1);
  for (let i = 0; i < sd.length && i < td.length; i++) {
    if (sd[i] === td[i]) continue;
    const level = sd.slice(0, i).join('/');
    if (i > 0 && !hasSubLines(layers, level)) return null;
    const from = sd.slice(0, i + 1).join('/');
    const rule = layers.get(from) ?? (i > 0 ? layers.get(`${level}/*`) : undefined);
    if (!rule) return null; // its folder is reported as having no line
    const ok = rule.uses.some((u) => (u === 'lake' ? targetPublic : under(t, u)));
    return ok ? null : { from, to: td.slice(0, i + 1).join('/'), rule };
  }
  return null;
}

/** Strongly connected components of the include graph (Tarjan), each a list of file ids. */
function components(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(v, Math.min(low.get(v), index.get(to)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** The shortest include chain from `start` back to itself inside one component: [edge...]. */
function shortestCycle(graph, comp, start) {
  const inside = new Set(comp);
  const via = new Map(); // node -> edge that reached it
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const e of graph.get(v) ?? []) {
      if (!inside.has(e.to) || via.has(e.to)) continue;
      via.set(e.to, { from: v, ...e });
      if (e.to === start) {
        const chain = [];
        for (let x = start; chain.length === 0 || x !== start; x = via.get(x).from) chain.unshift(via.get(x));
        return chain;
      }
      queue.push(e.to);
    }
  }
  return [];
}

/** Runs every check; returns { problems: [{ file, line, text }], files, includes }. */
function checkLayers(srcDir, includeDir, rules, rulesShown) {
  const { layers, owners, privates } = rules;
  const problems = [];
  const report = (file, line, text) => problems.push({ file, line, text });
  const ownerPath = (rel) => (owners.has(rel) ? `${owners.get(rel).folder}/${rel.split('/').pop()}` : null);
  // shown path -> { rel, isPublic, layerPath }; a public header's layer path lies in its owner
  const files = new Map();
  const add = (rel, isPublic) => {
    const shown = isPublic ? join(includeDir, rel) : join(srcDir, rel);
    const layerPath = isPublic ? ownerPath(rel) : rel.includes('/') ? rel : null;
    if (!files.has(shown)) files.set(shown, { rel, isPublic, layerPath });
    return shown;
  };

  const src = walk(srcDir);
  const pub = existsSync(join(includeDir, 'lake')) ? walk(join(includeDir, 'lake')).files : [];
  const scanned = [...src.files.map((rel) => add(rel, false)), ...pub.map((name) => add(`lake/${name}`, true))];
  for (const rel of src.files) {
    if (!rel.includes('/')) report(join(srcDir, rel), 0, `a file outside every folder; move it into one`);
  }
  for (const name of pub) {
    const rel = `lake/${name}`;
    if (owners.has(rel)) continue;
    report(join(includeDir, rel), 0, `public header without an owner: add "public ${rel}: FOLDER" to ${rulesShown}`);
  }
  for (const f of src.folders) {
    const parent = parentOf(f);
    const needsLine = !parent || (hasSubLines(layers, parent) && !layers.has(`${parent}/*`));
    if (needsLine && !layers.has(f)) report(`${join(srcDir, f)}/`, 0, `folder ${f} has no line in ${rulesShown}`);
  }

  /** The file an include names, or null: "lake/x.h" is public, anything else is under SRC. */
  const resolve = (name) => {
    if (!NAME.test(name) || name.split('/').some((c) => c === '.' || c === '..')) return null;
    const isPublic = name.startsWith('lake/');
    const path = join(isPublic ? includeDir : srcDir, name);
    return existsSync(path) && statSync(path).isFile() ? add(name, isPublic) : null;
  };

  const graph = new Map(); // shown path -> [{ to, line, name }]
  let includes = 0;
  for (const shown of scanned) {
    const f = files.get(shown);
    const edges = [];
    graph.set(shown, edges);
    for (const { line, name } of includesOf(shown)) {
      includes++;
      const at = (why) => report(shown, line, `includes "${name}": ${why}`);
      const target = resolve(name);
      if (!target) {
        at(`no such file (${join(name.startsWith('lake/') ? includeDir : srcDir, name)}); ` +
          `includes are written "lake/x.h" or "folder/x.h"`);
        continue;
      }
      edges.push({ to: target, line, name });
      const t = files.get(target);
      if (f.isPublic && !t.isPublic) {
        at(`a public header may include only public headers (lake/*.h)`);
        continue;
      }
      for (const p of privates) {
        if (t.isPublic || !under(t.rel, p.path) || p.folders.some((d) => under(f.rel, d))) continue;
        at(`${p.path} is private to ${p.folders.join(', ')} (${rulesShown}:${p.line}: "${p.text}")`);
      }
      if (!f.layerPath || !t.layerPath) continue; // reported above as lacking a folder or an owner
      const v = layerViolation(layers, f.layerPath, t.layerPath, t.isPublic);
      if (!v) continue;
      const owned = t.isPublic ? `; ${t.rel} belongs to ${owners.get(t.rel).folder}` : '';
      at(`${v.from} may not use ${v.to}${owned} (${rulesShown}:${v.rule.line}: "${v.rule.text}")`);
    }
  }

  for (const comp of components(graph)) {
    const start = [...comp].sort()[0];
    if (comp.length < 2 && !graph.get(start).some((e) => e.to === start)) continue;
    const chain = shortestCycle(graph, comp, start);
    const path = chain.map((e) => `${e.from}:${e.line} -> `).join('') + start;
    report(start, chain[0].line, `includes "${chain[0].name}": include cycle ${path}`);
  }

  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { problems, files: scanned.length, includes };
}

function main(argv) {
  const args = [...argv];
  let rulesPath = join(fileURLToPath(new URL('.', import.meta.url)), 'layers.txt');
  if (args[0] === '--rules') {
    rulesPath = args[1];
    args.splice(0, 2);
  }
  if (args.length !== 2 || !rulesPath) {
    console.error('usage: check_layers.mjs [--rules FILE] SRC INCLUDE');
    return 2;
  }
  const [srcDir, includeDir] = args;
  for (const d of [srcDir, includeDir]) {
    if (!existsSync(d) || !statSync(d).isDirectory()) {
      console.error(`check_layers: ${d}: no such directory`);
      return 2;
    }
  }
  const rel = relative(process.cwd(), rulesPath);
  const rulesShown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : rulesPath;
  let rules;
  try {
    rules = parseRules(rulesPath, rulesShown);
  } catch (e) {
    console.error(e instanceof RulesError ? `check_layers: ${e.message}` : `check_layers: ${rulesShown}: ${e.message}`);
    return 2;
  }
  const { problems, files, includes } = checkLayers(srcDir, includeDir, rules, rulesShown);
  for (const p of problems) console.error(p.line ? `${p.file}:${p.line}: ${p.text}` : `${p.file}: ${p.text}`);
  if (problems.length) {
    console.error(`layers: ${problems.length} violation(s) of ${rulesShown} (see docs/architecture.md)`);
    return 1;
  }
  console.log(`layers: ${files} files, ${includes} includes follow ${rulesShown}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
