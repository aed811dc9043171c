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
