/**
 * One-shot services in the public corpus (src/formats/compose-import/one-shot.ts): Airflow's
 * airflow-init (its dependents wait with service_completed_successfully) and Zammad's zammad-init
 * (restart: on-failure, an init by name) are marked, and nothing else of those stacks is.
 */
import { describe, expect, it } from 'vitest';
import { corpusManifest, importCorpus } from './survey.ts';
import { evaluate } from '../../src/engine/index.ts';

const rows = importCorpus(corpusManifest().entries.filter((e) => e.id === 'airflow' || e.id === 'zammad'));
const marked = (id: string) => rows.find((r) => r.entry.id === id)!.plan.services.filter((s) => s.oneShot === true).map((s) => s.name);

describe('one-shot services in the corpus', () => {
  it('imports both files', () => {
    expect(rows.map((r) => r.entry.id).sort()).toEqual(['airflow', 'zammad']);
  });

  it('marks airflow-init and zammad-init, and only them', () => {
    expect(marked('airflow')).toEqual(['airflow-init']);
    expect(marked('zammad')).toEqual(['zammad-init']);
  });

  it('leaves them out of the steady-state sums and checks them at startup', () => {
    for (const r of rows) {
      const report = evaluate(r.plan);
      const init = report.services.find((s) => s.oneShot === true)!;
      expect(report.host.startup?.services).toEqual([init.name]);
      expect(report.host.startup!.highMiB).toBeGreaterThan(0);
      // Without the flag the host counts it: the steady-state high is lower with it.
      const counted = evaluate({ ...r.plan, services: r.plan.services.map(({ oneShot: _o, ...s }) => s as typeof r.plan.services[number]) });
      expect(report.host.usageMiB.high).toBeLessThan(counted.host.usageMiB.high);
    }
  });
});
