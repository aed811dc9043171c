/** The formats registry: one module per engine kind, agreeing with the engine and with each other. */
import { describe, expect, it } from 'vitest';
import { KIND_FORMATS } from './index.ts';
import { KINDS } from '../../engine/kinds/index.ts';
import { SERVICE_KINDS } from '../../engine/schema.ts';

const entries = Object.entries(KIND_FORMATS);

describe('formats registry', () => {
  it('has a module for every kind the engine has, and none it lacks', () => {
    expect(Object.keys(KIND_FORMATS).sort()).toEqual([...SERVICE_KINDS].sort());
  });

  it.each(entries)('%s: its module names its own kind', (key, f) => expect(f.kind).toBe(key));

  it.each(entries.filter(([k]) => k !== 'prometheus'))('%s: has a scrape target exactly when the engine says Prometheus scrapes it', (key, f) => {
    // Prometheus scrapes itself from its own config (kinds/prometheus.ts), not as a stack target.
    expect(f.scrapeTarget !== undefined, key).toBe(KINDS[key as keyof typeof KINDS].scraped === true);
  });

  it('no two kinds write config files of the same name, and every kind with files declares them', () => {
    const names = entries.flatMap(([, f]) => Object.values(f.configs ?? {}).map((c) => `${c.base}.${c.ext}`));
    expect(new Set(names).size).toBe(names.length);
    for (const [key, f] of entries) expect(f.files === undefined || f.configs !== undefined, key).toBe(true);
  });

  it('no image repository is claimed by two kinds', () => {
    const repos = ['postgres', 'postgis/postgis', 'timescale/timescaledb-ha', 'redis', 'valkey/valkey', 'eqalpha/keydb', 'edoburu/pgbouncer', 'prom/prometheus', 'grafana/grafana-oss', 'prom/alertmanager', 'tiangolo/uvicorn-gunicorn-fastapi'];
    for (const repo of repos) {
      const claims = entries.filter(([, f]) => f.recognise?.images?.some((r) => r.re.test(repo))).map(([k]) => k);
      expect(claims, repo).toHaveLength(1);
    }
  });
});
