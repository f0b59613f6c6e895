// A section of bench/RESULTS.md that one bench driver owns: replaced where it stands (from its
// "## " heading up to the next one) or appended, so report.mjs's part and the others' coexist.
// From the shell (bench/run.sh keeps the hand-written "## Notes" that way):
//   node bench/results_section.mjs get FILE HEADING          prints the section ('' if none)
//   node bench/results_section.mjs put FILE HEADING SECTION  upserts the text of file SECTION
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The section whose heading is `heading` in file, heading line included; '' when there is none. */
export function getSection(file, heading) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) return '';
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start + 1, next >= 0 ? next + 1 : text.length);
}

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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, file, heading, section] = process.argv.slice(2);
  if (cmd === 'get' && file && heading) process.stdout.write(getSection(file, heading));
  else if (cmd === 'put' && file && heading && section) {
    const text = readFileSync(section, 'utf8');
    if (text.trim()) upsertSection(file, heading, text);
  } else {
    console.error('usage: results_section.mjs get FILE HEADING | put FILE HEADING SECTION_FILE');
    process.exit(2);
  }
}
