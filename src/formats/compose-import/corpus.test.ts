/**
 * The corpus: compose files in the shapes real projects use, each with the plan it must import
 * to (NN-name.expected.yaml, reviewed by hand) and an optional .env beside it.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { composeImport } from './index.ts';
import { evaluate } from '../../engine/evaluate.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();

function importCorpus(file: string) {
  const envPath = join(DIR, file.replace(/\.yml$/, '.env'));
  const envText = existsSync(envPath) ? readFileSync(envPath, 'utf8') : undefined;
  // readFile as the CLI does it: paths relative to the compose file; `.env` is the corpus's own.
  const readFile = (p: string) => (p === '.env' ? envText : existsSync(join(DIR, p)) ? readFileSync(join(DIR, p), 'utf8') : undefined);
  return composeImport(readFileSync(join(DIR, file), 'utf8'), { envText, readFile });
}

describe('compose corpus', () => {
  it('has at least 12 compose files, each with its expected plan', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(12);
    for (const f of FILES) expect(existsSync(join(DIR, f.replace(/\.yml$/, '.expected.yaml'))), f).toBe(true);
  });

  it.each(FILES)('%s imports to its expected plan', (file) => {
    const expected = parse(readFileSync(join(DIR, file.replace(/\.yml$/, '.expected.yaml')), 'utf8')) as { plan: unknown; kinds: Record<string, string>; skipped: string[] };
    const r = importCorpus(file);
    if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.issues)}`);
    expect(r.input).toEqual(expected.plan);
    expect(Object.fromEntries(r.services.map((s) => [s.service, s.kind]))).toEqual(expected.kinds);
    expect(r.notes.filter((n) => n.includes('skipped')).map((n) => n.split(':')[0])).toEqual(expected.skipped);
    // Every service says why it is what it is.
    for (const s of r.services) expect(s.why.length, s.service).toBeGreaterThan(10);
    // And the engine plans it to finite numbers.
    const report = evaluate(r.plan);
    expect(JSON.stringify(report)).not.toMatch(/NaN/);
    for (const s of report.services) expect(Number.isFinite(s.usageMiB.high)).toBe(true);
  });

  it('flags every service without a limit (12-no-limits)', () => {
    const r = importCorpus('12-no-limits.yml');
    if (!r.ok) throw new Error('import failed');
    const flagged = evaluate(r.plan).findings.filter((f) => f.id === 'no-limit').map((f) => f.service);
    expect(flagged.sort()).toEqual(['api', 'celery', 'db', 'mongo', 'nginx', 'redis']);
    for (const s of r.services) expect(s.warnings.join(' ')).toContain('no memory limit');
  });

  it('finds the seed\'s Redis fork problem from its compose file (02-seed-4gb)', () => {
    const r = importCorpus('02-seed-4gb.yml');
    if (!r.ok) throw new Error('import failed');
    const ids = evaluate(r.plan).findings.map((f) => `${f.id} ${f.service ?? ''}`.trim());
    expect(ids).toContain('redis-fork-headroom redis');
    expect(ids).toContain('connections-near-max postgres');
  });
});
