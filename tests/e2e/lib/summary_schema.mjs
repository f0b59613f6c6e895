// docs/summary.schema.json checked by a small validator of the subset of JSON Schema the schema
// file uses, for the tests of `lake run --summary-json`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const SCHEMA = JSON.parse(readFileSync(new URL('../../../docs/summary.schema.json', import.meta.url), 'utf8'));

// The subset of JSON Schema the schema file uses: type (or a list of types), enum, required,
// properties, additionalProperties: false, items, maxItems, minimum, maximum, pattern.
function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function validate(v, s, path = '$', problems = []) {
  const types = [].concat(s.type ?? []);
  const t = typeOf(v);
  if (types.length && !types.includes(t) && !(t === 'integer' && types.includes('number'))) {
    problems.push(`${path}: ${t}, expected ${types.join(' or ')}`);
    return problems;
  }
  if (s.enum && !s.enum.includes(v)) problems.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) problems.push(`${path}: ${v} < ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) problems.push(`${path}: ${v} > ${s.maximum}`);
  }
  if (typeof v === 'string' && s.pattern && !new RegExp(s.pattern).test(v)) problems.push(`${path}: "${v}" does not match ${s.pattern}`);
  if (t === 'array') {
    if (s.maxItems !== undefined && v.length > s.maxItems) problems.push(`${path}: ${v.length} items > ${s.maxItems}`);
    v.forEach((x, i) => s.items && validate(x, s.items, `${path}[${i}]`, problems));
  }
  if (t === 'object') {
    for (const k of s.required ?? []) if (!(k in v)) problems.push(`${path}: missing ${k}`);
    for (const [k, x] of Object.entries(v)) {
      if (s.properties?.[k]) validate(x, s.properties[k], `${path}.${k}`, problems);
      else if (s.additionalProperties === false) problems.push(`${path}: unexpected field ${k}`);
    }
  }
  return problems;
}

/** Asserts doc matches docs/summary.schema.json, listing every mismatch. */
export function assertValid(doc) {
  const problems = validate(doc, SCHEMA);
  assert.deepEqual(problems, [], `summary does not match docs/summary.schema.json:\n${problems.join('\n')}`);
}

