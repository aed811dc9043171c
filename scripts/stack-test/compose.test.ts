// The compose file the stack test runs is the export with only the image, the host side of the
// ports and the cgroup parent changed (and Grafana, which has no local image, left out).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diffFromExport, localCompose } from './compose.ts';
import { exportPlan, presetPlanFile } from './plan.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function exported(planFile: string) {
  const d = mkdtempSync(join(tmpdir(), 'headroom-stackcompose-'));
  dirs.push(d);
  return parse(readFileSync(exportPlan(planFile, d), 'utf8'));
}

describe('localCompose', () => {
  it('changes only image, ports (host side, on 127.0.0.1) and cgroup_parent of the exported 4gb stack', () => {
    const doc = exported(presetPlanFile('4gb'));
    const local = localCompose(doc, { cgroupParent: '/h-test' });
    const changes = diffFromExport(doc, local.doc);
    expect(changes.every((c) => /^services\.[\w-]+\.(image|ports|cgroup_parent)$/.test(c) || c === 'services.grafana')).toBe(true);
    expect(local.skipped.map((s) => s.service)).toEqual(['grafana']);
    expect(local.doc.services.fastapi!.ports).toEqual(['127.0.0.1::8000']);
    expect(local.doc.services.prometheus!.ports).toEqual(['127.0.0.1::9090']);
    for (const s of Object.values(local.doc.services)) expect(s.cgroup_parent).toBe('/h-test');
    // limits, commands, healthchecks and shm sizes as exported
    expect(local.doc.services.postgres!.shm_size).toBe(doc.services.postgres.shm_size);
    expect(local.doc.services.postgres!.mem_limit).toBe('800m');
    expect(local.doc.services.redis!.healthcheck).toEqual(doc.services.redis.healthcheck);
  });

  it('keeps the exported container side of every port and drops depends_on on a skipped service', () => {
    const doc = { services: { a: { image: 'app:latest', ports: ['8000:8000', { target: 9000, published: 9000 }], depends_on: { g: { condition: 'service_healthy' } } }, g: { image: 'grafana/grafana:11' } } };
    const local = localCompose(doc, { cgroupParent: '/x', namePrefix: 'p-' });
    expect(local.doc.services.a!.ports).toEqual(['127.0.0.1::8000', '127.0.0.1::9000']);
    expect(local.doc.services.a!.depends_on).toEqual({});
    expect(() => localCompose(doc, { cgroupParent: '/x', extra: { a: { image: 'x' } } })).toThrow(/replace the exported/);
  });
});
