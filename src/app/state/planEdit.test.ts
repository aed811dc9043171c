import { describe, expect, it } from 'vitest';
import { planParse, presetGet } from '../../engine/index.ts';
import { featureSet, pathDelete, pathGet, pathSet, serviceAdd, serviceDuplicate, serviceKindSet, serviceNameFree, serviceRemove } from './planEdit.ts';

describe('path edits', () => {
  it('pathSet copies along the path and shares the rest', () => {
    const p = presetGet('4gb');
    const q = pathSet(p, ['services', 1, 'limit'], '1g');
    expect(q.services[1]?.limit).toBe('1g');
    expect(p.services[1]?.limit).toBe('800MiB');
    expect(q.services[0]).toBe(p.services[0]);
    expect(q.host).toBe(p.host);
  });

  it('pathSet creates missing objects', () => {
    const p = pathSet(presetGet('4gb'), ['services', 4, 'settings', 'usage', 'low'], '1m');
    expect(pathGet(p, ['services', 4, 'settings', 'usage'])).toEqual({ low: '1m' });
  });

  it('pathDelete removes a key and is a no-op when it is absent', () => {
    const p = presetGet('4gb');
    const q = pathDelete(p, ['services', 1, 'settings', 'workMem']);
    expect(q.services[1]?.settings).not.toHaveProperty('workMem');
    expect(pathDelete(p, ['services', 1, 'settings', 'nothing'])).toBe(p);
  });
});

describe('service edits keep the plan valid', () => {
  it.each(['fastapi', 'postgres', 'redis', 'pgbouncer', 'prometheus', 'grafana', 'alertmanager', 'generic'] as const)('adding a %s service', (kind) => {
    const p = serviceAdd(presetGet('4gb'), kind);
    expect(p.services).toHaveLength(6);
    expect(planParse(p).ok).toBe(true);
  });

  it('names stay unique', () => {
    const p = serviceDuplicate(serviceDuplicate(presetGet('4gb'), 2), 2);
    expect(p.services.map((s) => s.name)).toEqual(['fastapi', 'postgres', 'redis', 'redis-copy-2', 'redis-copy', 'prometheus', 'grafana']);
    expect(serviceNameFree(p, 'REDIS')).toBe('REDIS-2');
    expect(planParse(p).ok).toBe(true);
  });

  it('remove and kind change', () => {
    const p = serviceRemove(presetGet('4gb'), 0);
    expect(p.services.map((s) => s.name)).not.toContain('fastapi');
    const q = serviceKindSet(presetGet('4gb'), 1, 'generic');
    expect(q.services[1]).toMatchObject({ name: 'postgres', kind: 'generic', limit: '800MiB' });
    expect(planParse(q).ok).toBe(true);
  });

  it('turning a container feature off removes the listed services of its kind', () => {
    const p = featureSet(presetGet('8gb'), 'pgbouncer', false);
    expect(p.features?.pgbouncer).toBe(false);
    expect(p.services.some((s) => s.kind === 'pgbouncer')).toBe(false);
    const q = featureSet(presetGet('8gb'), 'semanticCache', false);
    expect(q.services).toHaveLength(presetGet('8gb').services.length);
  });
});
