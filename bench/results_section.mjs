// A section of bench/RESULTS.md that one bench driver owns: replaced where it stands (from its
// "## " heading up to the next one) or appended, so report.mjs's part and the others' coexist.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Replaces the section whose heading is `heading` ("## S3 case") in file by `section`. */
export function upsertSection(file, heading, section) {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(`\n${heading}`);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + (next >= 0 ? text.slice(next) : '\n');
  }
  text = text.replace(/\n*$/, '\n\n') + section.replace(/\n*$/, '\n');
  writeFileSync(file, text);
}
