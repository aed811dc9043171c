/**
 * Words that belong to Headroom's code and files, not to what people read (issue 16): finding ids
 * in prose, plan-file keys outside an instruction, source paths, the project's own brief ("the
 * seed"), test jargon. The CLI text test (src/cli/words.test.ts) and the findings-in-words test
 * (src/engine/finding-words.test.ts) scan their texts with it. Test-only.
 */
import { FINDING_WORDS } from '../src/engine/finding-words.ts';
import { RULES } from '../src/cli/rules.ts';
import { KINDS } from '../src/engine/kinds/index.ts';

/** Every finding id (a capacity check is named by the finding it raises). */
const IDS = [...new Set([...Object.keys(FINDING_WORDS), ...Object.keys(RULES)])];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The plan file's camelCase setting names (each kind's fields: `maxConnections`, `shmSize`): words use the server's own (max_connections, shm_size). */
const CAMEL_KEYS = [...new Set(Object.values(KINDS).flatMap((k) => (k.fields ?? []).map((f) => f.key.split('.').pop()!)))].filter((k) => /[a-z][A-Z]/.test(k));

export const INTERNAL_WORDS: ReadonlyArray<{ what: string; re: RegExp }> = [
  { what: 'a finding id', re: new RegExp(`(?<![\\w.-])(${IDS.map(escape).join('|')})(?![\\w-])`) },
  { what: 'the brief ("the seed")', re: /\bseed(?:'s|:)?\b/i },
  { what: 'test jargon', re: /alertCoverage|\btested\)/ },
  { what: 'a source path', re: /\b(?:engine|formats|cli|app)\/[\w/-]+\.tsx?\b/ },
  { what: 'a model part in brackets', re: /largest part \(/ },
  { what: 'a plan-file key', re: /\b(?:features|settings|host|workload)\.[a-zA-Z]+(?:\.[a-zA-Z]+)*\s*(?:[:=]|\))/ },
  { what: 'a plan-file setting name', re: new RegExp(`(?<![\\w.-])(${CAMEL_KEYS.map(escape).join('|')})(?![\\w-])`) },
  // One minus sign (units.ts writes U+2212): an ASCII hyphen before a signed figure (`-35%`, `-180 MiB`); flags (`-Xmx512m`, `-c 100`) and ranges (`2-12 MiB`) are not figures.
  { what: "an ASCII '-' as a minus sign", re: /(?<![\w.\-/=])-\d[\d,.]*\s?(?:%|[KMGT]i?B\b|ms\b)/ },
  { what: 'a redaction inside a word', re: /not shown\)\w|\w\(a value from a file/ },
];

/**
 * The internal words in `text`, one entry per hit: "a finding id: usage-over-limit". `allowKeys`
 * lets plan-file keys through where the text tells the user which key to edit (the CLI's
 * "in the plan file, set …" lines, the x-headroom hint).
 */
export function internalWords(text: string, opts: { allowKeys?: boolean } = {}): string[] {
  const hits: string[] = [];
  for (const line of text.split('\n')) {
    for (const w of INTERNAL_WORDS) {
      if (opts.allowKeys && w.what === 'a plan-file key') continue;
      const m = w.re.exec(line);
      if (m) hits.push(`${w.what}: ${m[0]} in "${line.trim().slice(0, 160)}"`);
    }
  }
  return hits;
}

/**
 * Sizes glued to their unit in prose (issue 16, "one number format"): a size in words is
 * units.ts sizeFormat's, with a space (`300 MiB`, `1.13 GiB`). The IEC units (`104MiB`) never
 * appear glued in prose; the servers' own `MB`/`GB`/`kB` may, for a value the server reads
 * (`3 × 16MB in the budget`, `within [64kB, 16MB]`), but not as a limit, a host or a criterion
 * (`the 300MB limit`, `max(500MB, 12% of RAM)`, `104MB:`). Lines that are values, not prose (a
 * config line, a plan-file instruction, a `--host 8GiB` argument), are the caller's to leave out.
 */
export const GLUED_SIZES: ReadonlyArray<{ what: string; re: RegExp }> = [
  { what: 'a glued IEC size', re: /(?<![\w.-])\d[\d.,]*[KMGT]iB\b/ },
  { what: "a server's size said as a limit, a host or the criterion", re: /(?<![\w.-])\d[\d.,]*[kKMGT]B(?=\s*(?:limit|host|container|of RAM|available|free|:|,\s*\d+% of RAM))/ },
];

/** The glued sizes in `text`, one entry per hit, as internalWords. */
export function gluedSizes(text: string): string[] {
  const hits: string[] = [];
  for (const line of text.split('\n')) {
    for (const w of GLUED_SIZES) {
      const m = w.re.exec(line);
      if (m) hits.push(`${w.what}: ${m[0]} in "${line.trim().slice(0, 160)}"`);
    }
  }
  return hits;
}
