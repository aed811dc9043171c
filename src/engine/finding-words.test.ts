import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_WORDS, findingWords } from './finding-words.ts';
import { verdictInWords, verdictOf } from './verdict.ts';
import { evaluate } from './evaluate.ts';
import { PRESET_NAMES } from './presets.ts';
import { presetPlan } from './testing.ts';
import { changeText } from './changeText.ts';
import type { Report } from './report.ts';
import { internalWords } from '../../test/internal-words.ts';
import { importCorpus } from '../../test/corpus/survey.ts';

/** Every finding id a rule raises by name (`finding('id', …)`) in src/engine. */
function raisedIds(): string[] {
  const files = readdirSync('src/engine', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return [...new Set(files.flatMap((f) => {
    const text = readFileSync(join('src/engine', f), 'utf8');
    // finding('id', …), and an id chosen by a ternary (finding(spike ? 'a' : 'b', …) or `const id = spike ? 'a' : 'b'`)
    return [...[...text.matchAll(/\bfinding\('([a-z0-9-]+)'/g)].map((m) => m[1]!),
      ...[...text.matchAll(/(?:\bfinding\(|\bid = )\w+ \? '([a-z0-9-]+)' : '([a-z0-9-]+)'/g)].flatMap((m) => [m[1]!, m[2]!])];
  }))];
}

describe('findings in words', () => {
  it('every id a rule raises has its words (no id falls back to dashes as spaces)', () => {
    const ids = raisedIds();
    expect(ids.length).toBeGreaterThan(40);
    expect(ids.filter((id) => !(id in FINDING_WORDS))).toEqual([]);
  });

  it('names the service, or the host by its words alone, and never the id', () => {
    expect(findingWords({ id: 'redis-fork-headroom', service: 'redis' })).toBe('redis: no room to fork for a snapshot');
    expect(findingWords({ id: 'host-oom', service: null })).toBe('the host runs out of memory');
    expect(findingWords({ id: 'mysql-limit-too-small', service: 'db' })).toBe('db: the limit is too small for its memory setting');
  });

  it.each(PRESET_NAMES)('preset %s: the verdict in words is verdictOf’s, its findings named in words', (name) => {
    const r = evaluate(presetPlan(name));
    const ids = verdictOf(r);
    const words = verdictInWords(r);
    expect(words.outcome).toBe(ids.outcome);
    expect(words.assumed).toEqual(ids.assumed);
    for (const f of r.findings.filter((x) => x.severity === 'critical')) {
      expect(words.summary).not.toContain(f.id);
      if (ids.summary.includes(`${f.id} [${f.service}]`)) expect(words.summary).toContain(findingWords(f));
    }
  });

  it('the 4gb preset fails on Redis’s fork, said in words', () => {
    expect(verdictInWords(evaluate(presetPlan('4gb'))).summary).toBe('1 critical finding: redis: no room to fork for a snapshot');
    expect(verdictOf(evaluate(presetPlan('4gb'))).summary).toBe('1 critical finding: redis-fork-headroom [redis]');
  });
});

/** What the page shows of each finding: its words, message, fix and each change's button. */
function pageTexts(r: Report): string {
  return r.findings.flatMap((f) => [findingWords(f), f.message, f.fix.summary, ...f.fix.changes.map(changeText)]).join('\n');
}

describe('finding texts in an operator’s words (issue 16)', () => {
  it.each(PRESET_NAMES)('preset %s: no finding id, plan-file key, source path or "seed" in what the page shows', (name) => {
    const r = evaluate(presetPlan(name));
    expect(r.findings.length).toBeGreaterThan(0);
    expect(internalWords(pageTexts(r))).toEqual([]);
  });

  it('every corpus plan: the same', () => {
    const plans = importCorpus();
    expect(plans.length).toBeGreaterThan(30);
    const hits = plans.flatMap((p) => internalWords(pageTexts(evaluate(p.plan))).map((h) => `${p.entry.id}: ${h}`));
    expect(hits).toEqual([]);
  });
});
