/**
 * The runbook matches the export (issue 11): the stack's own role and database in its commands,
 * secrets only where the export creates them, the OOM order and reservations only where the
 * compose file written sets them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { composeImport } from '../compose-import/index.ts';
import { exportOf } from './index.ts';
import { planOf, presetPlan } from '../../engine/testing.ts';

const AIRFLOW = join(import.meta.dirname, '../../../test/corpus/airflow/airflow-core/docs/howto/docker-compose/docker-compose.yaml');

function imported(text: string) {
  const r = composeImport(text, { host: '4GiB' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
}

const file = (files: Array<{ path: string; content: string }>, re: RegExp) => files.find((f) => re.test(f.path))!.content;

describe('the runbook', () => {
  it('uses the stack\'s own POSTGRES_USER and POSTGRES_DB (test/corpus/airflow: airflow, not app)', () => {
    const plan = imported(readFileSync(AIRFLOW, 'utf8'));
    const pg = plan.services.find((s) => s.kind === 'postgres')!;
    expect([pg.settings.user, pg.settings.database]).toEqual(['airflow', 'airflow']);
    const { files } = exportOf(plan, { composeEdited: true });
    const runbook = file(files, /RUNBOOK/);
    expect(runbook).toContain('psql -U airflow -d airflow');
    expect(runbook).not.toMatch(/-U app\b/);
  });

  it('writes the same role into the compose file, pgbouncer.ini, the exporter and the app\'s URL it generates', () => {
    const plan = planOf({
      host: { ram: '4GiB' },
      features: { pgbouncer: true },
      services: [
        { name: 'api', kind: 'fastapi', limit: '512MiB' },
        { name: 'db', kind: 'postgres', limit: '1GiB', settings: { user: 'shop', database: 'orders' } },
        { name: 'prometheus', kind: 'prometheus', limit: '256MiB' },
      ],
    });
    const { files } = exportOf(plan);
    const compose = parse(file(files, /compose.*\.yml$/)) as { services: Record<string, { environment?: Record<string, string> }> };
    expect(compose.services.db!.environment).toMatchObject({ POSTGRES_USER: 'shop', POSTGRES_DB: 'orders' });
    expect(compose.services.api!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/shop@[^/]+\/orders$/);
    for (const s of Object.values(compose.services)) if (s.environment?.DATA_SOURCE_USER) expect(s.environment.DATA_SOURCE_USER).toBe('shop');
    expect(file(files, /pgbouncer.*\.ini$/)).toMatch(/^orders = host=db port=5432 dbname=orders$/m);
    expect(file(files, /userlist/)).toContain("psql -U shop -d orders");
    expect(file(files, /RUNBOOK/)).toContain('psql -U shop -d orders');
  });

  it('names secrets, oom_score_adj and reservations only when its own compose file sets them', () => {
    const plan = presetPlan('4gb');
    const own = file(exportOf(plan).files, /RUNBOOK/);
    expect(own).toContain('| service | memory limit | reserved | oom_score_adj |');
    expect(own).toContain('openssl rand -base64 24 > ./secrets/postgres_password');
    const edited = file(exportOf(plan, { composeEdited: true }).files, /RUNBOOK/);
    expect(edited).not.toMatch(/oom_score_adj \||reserved \||openssl rand|\.\/secrets\//);
    expect(edited).toContain('Your compose file keeps its own passwords and secrets: Headroom adds none.');
    expect(edited).toContain('Your compose file sets no oom_score_adj or memory reservation of Headroom\'s');
  });
});
