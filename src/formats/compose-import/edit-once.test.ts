/**
 * Issue 17: a compose export parses the compose text once. The yaml library's parse entry
 * points are wrapped to count their calls (the real parser runs underneath); the import and the
 * edit then read the one document the input policy produced.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every text handed to a yaml parse entry point, in order. */
const parses = vi.hoisted(() => ({ texts: [] as unknown[] }));
/** How many times `text` was parsed (a mounted prometheus.yml, another input, is parsed on its own). */
const parsesOf = (text: string) => parses.texts.filter((t) => t === text).length;
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  const counted =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      parses.texts.push(a[0]);
      return f(...a);
    };
  return { ...yaml, parse: counted(yaml.parse), parseDocument: counted(yaml.parseDocument), parseAllDocuments: counted(yaml.parseAllDocuments) };
});

const { composeEdit, composeImport } = await import('./index.ts');
const { inputParse } = await import('../input-policy.ts');
const { exportOf } = await import('../export/index.ts');
const { loadPlan } = await import('../../cli/io.ts');

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();

function corpus(file: string) {
  const envPath = join(DIR, file.replace(/\.yml$/, '.env'));
  const envText = existsSync(envPath) ? readFileSync(envPath, 'utf8') : undefined;
  const readFile = (p: string) => (existsSync(join(DIR, p)) ? readFileSync(join(DIR, p), 'utf8') : undefined);
  return { text: readFileSync(join(DIR, file), 'utf8'), options: { envText, readFile } };
}

/** The plan `export --tuned` writes back into the file (the untuned one where tuning refuses it). */
function tunedPlanOf(text: string, options: ReturnType<typeof corpus>['options']) {
  const r = composeImport(text, options);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  try {
    return exportOf(r.plan, { tuned: true, composeEdited: true }).plan;
  } catch {
    return r.plan;
  }
}

beforeEach(() => {
  parses.texts = [];
});

describe('compose export parses its input once', () => {
  const changed: string[] = [];
  afterAll(() => {
    // Not vacuous: the tuned plans change most of the corpus's files (9 of 15 when written).
    expect(changed.length).toBeGreaterThanOrEqual(5);
  });

  it.each(FILES)('%s: text in, one parse; parsed in, none; the same bytes either way', (file) => {
    const { text, options } = corpus(file);
    const plan = tunedPlanOf(text, options);

    parses.texts = [];
    const fromText = composeEdit(text, plan, options);
    expect(parsesOf(text)).toBe(1);

    const p = inputParse(text);
    if (!p.ok) throw new Error(JSON.stringify(p.issues));
    parses.texts = [];
    const fromParsed = composeEdit(p.parsed, plan, options);
    expect(parsesOf(text)).toBe(0);

    if (!fromText.ok || !fromParsed.ok) throw new Error(JSON.stringify([fromText, fromParsed]));
    expect(fromParsed.text).toBe(fromText.text);
    expect(fromParsed.changes).toEqual(fromText.changes);
    expect(fromParsed.notes).toEqual(fromText.notes);
    if (fromText.text !== text) changed.push(file);
  });

  it('the CLI path: loadPlan reads and parses the file once, and the compose edit reuses that document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-once-'));
    try {
      const file = join(dir, 'docker-compose.yml');
      const text = 'services:\n  db:\n    image: postgres:16\n    mem_limit: 256m\n  cache:\n    image: redis:7\n';
      writeFileSync(file, text);
      parses.texts = [];
      const source = loadPlan(file, undefined, '4GiB');
      if (!source.compose) throw new Error('not read as a compose file');
      const plan = { ...source.plan, services: source.plan.services.map((s) => (s.name === 'db' ? { ...s, limit: 1024 } : s)) };
      const e = source.compose.edit(plan);
      expect(parses.texts).toEqual([text]);
      expect(e.text).toBe(text.replace('mem_limit: 256m', 'mem_limit: 1024m'));
      expect(e.changes.join('\n')).toMatch(/services\.db\.mem_limit/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file whose anchors hold aliases, within the policy, is edited (the library\'s own alias count refused it)', () => {
    const items = (n: number, a: string) => Array(n).fill(`*${a}`).join(', ');
    // 100 aliases inside an anchor, that anchor aliased 120 times: 12,000 nodes expanded, well
    // under the policy's 200,000; toJS's maxAliasCount 10,000 threw "Excessive alias count".
    const text = `x-w: &w "-v"\nx-l: &l [${items(100, 'w')}]\nservices:\n  app:\n    image: python:3.12\n    command: [${items(120, 'l')}]\n    mem_limit: 256m\n`;
    const r = composeImport(text);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const plan = { ...r.plan, services: r.plan.services.map((s) => ({ ...s, limit: 512 })) };
    const e = composeEdit(text, plan);
    if (!e.ok) throw new Error(JSON.stringify(e.issues));
    expect(e.text).toBe(text.replace('mem_limit: 256m', 'mem_limit: 512m'));
  });
});
