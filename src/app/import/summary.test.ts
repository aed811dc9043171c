import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeImport, MAX_COMPOSE_CHARS } from '../../formats/compose-import/index.ts';
import { evaluate, planParse, type PlanInput } from '../../engine/index.ts';
import { MAX_IMPORT_BYTES } from './client.ts';
import { jobRun } from './jobs.ts';
import { bytesText, containerNamesOf, importRows, issueText, observedRows } from './summary.ts';

const SEED = readFileSync(new URL('../../formats/compose-import/corpus/02-seed-4gb.yml', import.meta.url), 'utf8');
// The seed's `docker stats --no-stream --format "table {{.Container}}\t{{.MemUsage}}\t{{.MemPerc}}"`, by name.
const STATS = ['CONTAINER\tMEM USAGE / LIMIT\tMEM %', 'fastapi-backend\t310MiB / 500MiB\t62%', 'postgres\t420.5MiB / 800MiB\t52.6%', 'redis-cache\t120MiB / 300MiB\t40%', 'stray\t1MiB / 1GiB\t0.1%'].join('\n');

function seed() {
  const r = composeImport(SEED, { host: '4GiB' });
  if (!r.ok) throw new Error('the seed compose file must import');
  return r;
}

describe('import summary', () => {
  it('lists every compose service with its kind, reason and the model’s range', () => {
    const r = seed();
    const rows = importRows(r.services, evaluate(r.plan));
    expect(rows.map((x) => [x.service, x.kind, x.limit])).toEqual([
      ['fastapi', 'fastapi', '500MiB'],
      ['postgres', 'postgres', '800MiB'],
      ['redis', 'redis', '300MiB'],
      ['prometheus', 'prometheus', '200MiB'],
      ['grafana', 'grafana', '150MiB'],
    ]);
    for (const x of rows) {
      expect(x.why).not.toBe('');
      expect(x.usageMiB!.low).toBeLessThanOrEqual(x.usageMiB!.typical);
    }
  });

  it('matches docker stats by container_name and shows observed beside the model', () => {
    const r = seed();
    const names = containerNamesOf(r.services);
    expect(names).toMatchObject({ fastapi: 'fastapi-backend', redis: 'redis-cache' });
    const applied = jobRun({ type: 'stats', input: r.input, text: STATS, containerNames: names });
    if (!applied.ok) throw new Error(applied.issues.map(issueText).join('; '));
    expect(applied.match.unmatched).toEqual(['stray']);
    const rows = observedRows(evaluate(planOf(applied.input)), applied.match);
    expect(rows.map((x) => [x.service, x.observed.peak])).toEqual([
      ['fastapi', 310],
      ['postgres', 420.5],
      ['redis', 120],
    ]);
    // krr's rule, peak × 1.15 = 356.5 MiB, but never below the model's high (issue 12: one
    // snapshot did not see the spike the model plans for).
    expect(rows[0]!.observedLimitMiB).toBe(Math.max(356.5, rows[0]!.model.high));
    expect(rows[0]!.observedLimitMiB).toBeGreaterThan(356.5);
  });

  it.each([
    [{ path: 'line 4, column 3', message: 'bad indentation', line: 4, column: 3 }, 'line 4, column 3: bad indentation'],
    [{ path: 'services.db.mem_limit', message: 'expected a size' }, 'services.db.mem_limit: expected a size'],
    [{ path: '--host', message: 'expected a host of at least 64 MiB' }, 'Host RAM: expected a host of at least 64 MiB'],
  ])('issueText(%o) is %s', (issue, text) => {
    expect(issueText(issue)).toBe(text);
  });

  it('broken YAML comes back with line and column', () => {
    const r = jobRun({ type: 'compose', text: 'services:\n  db:\n    image: [postgres\n', envText: '', host: '4GiB' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(issueText(r.issues[0]!)).toMatch(/^line \d+, column \d+: /);
  });

  it('refuses files over the importer’s own cap', () => {
    expect(MAX_IMPORT_BYTES).toBe(MAX_COMPOSE_CHARS);
    expect(MAX_IMPORT_BYTES).toBe(4 * 1048576);
    expect(bytesText(17 * 1048576)).toBe('17 MiB');
    expect(bytesText(16 * 1048576 + 1)).toBe('16 MiB');
    expect(bytesText(2048)).toBe('2 KiB');
  });
});

function planOf(input: PlanInput) {
  const p = planParse(input);
  if (!p.ok) throw new Error(`invalid plan: ${p.issues.map((x) => x.message).join('; ')}`);
  return p.plan;
}
