/** The registry: every kind module is complete and agrees with itself (what the compiler cannot see). */
import { describe, expect, it } from 'vitest';
import { KINDS } from './index.ts';
import { planParse, SERVICE_KINDS } from '../schema.ts';

const entries = Object.entries(KINDS);

describe('kinds registry', () => {
  it('lists the plan file\'s kinds in their documented order', () => {
    expect(SERVICE_KINDS).toEqual(['fastapi', 'postgres', 'redis', 'pgbouncer', 'prometheus', 'grafana', 'alertmanager', 'generic', 'jvm', 'python', 'node', 'native', 'proxy', 'mysql', 'mongodb', 'clickhouse', 'rabbitmq', 'memcached', 'minio', 'dragonfly', 'ruby', 'php', 'beam']);
  });

  it.each(entries)('%s: its module names its own kind and every setting has a default', (key, k) => {
    expect(k.kind).toBe(key);
    expect(k.settings.safeParse({}).success).toBe(true);
  });

  it.each(entries)('%s: every page field edits a setting of its schema, every enum is a setting', (_key, k) => {
    const keys = Object.keys(k.settings.shape);
    for (const f of k.fields ?? []) expect(keys, f.key).toContain(f.key.split('.')[0]);
    for (const e of Object.keys(k.enums ?? {})) expect(keys, e).toContain(e);
  });

  it.each(entries)('%s: a new service from its starter is a valid plan', (key, k) => {
    const { name = key, limit, settings } = k.starter;
    const r = planParse({ host: { ram: '4GiB' }, services: [{ name, kind: key as never, limit, settings }] });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});
