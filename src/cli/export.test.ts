import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCommand } from './export.ts';
import { UsageError } from './io.ts';
import { fromPlanNote } from '../formats/export/edited.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'headroom-export-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runExport(positionals: string[], values: Record<string, string | boolean | undefined>) {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const code = exportCommand.run({ positionals, values });
  return { code, out };
}

describe('headroom export --target', () => {
  it.each([
    ['swarm', 'docker-stack-4gb.yml', 'docker stack deploy'],
    ['kubernetes', 'kubernetes-4gb.yaml', 'kubectl apply'],
  ])('--target %s writes %s in place of the compose file and says how to run it', (target, file, next) => {
    const dir = tmp();
    const r = runExport([], { preset: '4gb', out: dir, target });
    expect(r.code).toBe(0);
    const written = readdirSync(dir);
    expect(written).toContain(file);
    expect(written.some((f) => f.startsWith('docker-compose-'))).toBe(false);
    expect(written).toContain('postgresql.conf');
    expect(r.out).toContain(next);
  });

  it.each(['swarm', 'kubernetes'] as const)('--target %s of a compose file says its files are written from the plan, not from that file; a plan file says nothing of it', (target) => {
    const dir = tmp();
    const compose = join(dir, 'docker-compose.yml');
    writeFileSync(compose, 'services:\n  db:\n    image: postgres:16\n    environment: [POSTGRES_PASSWORD_FILE=/run/secrets/pg]\n');
    const r = runExport([compose], { out: join(dir, 'out'), target });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`note: ${fromPlanNote(compose, target)}`);
    expect(runExport([], { preset: '4gb', out: join(dir, 'out2'), target }).out).not.toContain('written from the plan, not from');
  });

  it('export of a compose file says when nothing in it changed, and asks for a review when something did', () => {
    const dir = tmp();
    const compose = join(dir, 'docker-compose.yml');
    writeFileSync(compose, 'services:\n  db:\n    image: postgres:16\n    mem_limit: 512m\n');
    const same = runExport([compose], { out: join(dir, 'same') });
    expect(same.out).toContain(`next: nothing in ${compose} changed`);
    expect(same.out).not.toContain('review the changes above');
    // Tuned on 512m nothing moves (25% of it is the default shared_buffers, 128MB): still nothing changed.
    expect(runExport([compose], { out: join(dir, 'tuned512'), tuned: true }).out).toContain(`next: nothing in ${compose} changed`);
    writeFileSync(compose, 'services:\n  db:\n    image: postgres:16\n    mem_limit: 2g\n');
    const tunedRun = runExport([compose], { out: join(dir, 'tuned'), tuned: true });
    // Tuned on 2g, shared_buffers 512MB goes in as a command flag: a change to review.
    expect(tunedRun.out).toMatch(/changed services\.db\./);
    expect(tunedRun.out).toContain('next: review the changes above');
  });

  it('refuses an unknown target by name', () => {
    expect(() => runExport([], { preset: '4gb', out: tmp(), target: 'nomad' })).toThrow(UsageError);
    try {
      runExport([], { preset: '4gb', out: tmp(), target: 'nomad' });
    } catch (e) {
      expect((e as UsageError).lines.join('\n')).toContain('--target: expected one of compose | swarm | kubernetes, got "nomad"');
    }
  });
});

describe('headroom export', () => {
  it('writes every file of a preset into --out and lists them', () => {
    const dir = join(tmp(), 'nested', 'out');
    const r = runExport([], { preset: '8gb', out: dir });
    expect(r.code).toBe(0);
    const written = readdirSync(dir).sort();
    expect(written).toEqual(['RUNBOOK.md', 'alertmanager.yml', 'alerts.test.yml', 'alerts.yml', 'docker-compose-8gb.yml', 'pgbouncer.ini', 'postgresql.conf', 'prometheus.yml', 'redis.conf', 'userlist.txt']);
    for (const f of written) expect(r.out).toContain(f);
    expect(readFileSync(join(dir, 'redis.conf'), 'utf8')).toMatch(/^maxmemory \d+$/m);
  });

  it('reads a plan file, and --tuned writes the recommended values', () => {
    const d = tmp();
    const plan = join(d, 'plan.yml');
    // The app is the servers' one client: with clients counted, the tuner may set what the server left at its default.
    writeFileSync(plan, 'host: { ram: 2GiB }\nservices:\n  - { name: api, kind: fastapi, limit: 512MiB }\n  - { name: db, kind: postgres, limit: 512MiB }\n  - { name: cache, kind: redis, limit: 100MiB, settings: { persistence: none } }\n');
    expect(runExport([plan], { out: join(d, 'a') }).code).toBe(0);
    expect(readFileSync(join(d, 'a', 'redis.conf'), 'utf8')).toMatch(/^maxmemory 0$/m);
    expect(runExport([plan], { out: join(d, 'b'), tuned: true }).code).toBe(0);
    expect(readFileSync(join(d, 'b', 'redis.conf'), 'utf8')).toMatch(/^maxmemory 50331648$/m); // 48MiB: (100 / 1.5 − 11) / 1.02 = 54.6, in 8MiB steps
    expect(readdirSync(join(d, 'b'))).toContain('docker-compose-2gb.yml');
  });

  it('--tuned refuses a limit no setting fits with the service and the limit it needs, and writes nothing', () => {
    const d = tmp();
    const plan = join(d, 'plan.yml');
    writeFileSync(plan, 'host: { ram: 2GiB }\nservices:\n  - { name: db, kind: postgres, limit: 512MiB }\n  - { name: cache, kind: redis, limit: 32MiB }\n');
    expect(() => runExport([plan], { out: join(d, 'c'), tuned: true })).toThrow(UsageError);
    try {
      runExport([plan], { out: join(d, 'c'), tuned: true });
    } catch (e) {
      expect((e as UsageError).lines.join('\n')).toMatch(/^error: .*plan\.yml: cannot tune: cache: the 32 MiB limit leaves no room for maxmemory 8mb .*at least 48 MiB/);
    }
    expect(() => readdirSync(join(d, 'c'))).toThrow();
  });

  it('needs --out, and refuses a plan file and --preset together', () => {
    expect(() => runExport([], { preset: '4gb' })).toThrow(UsageError);
    expect(() => runExport(['x.yml'], { preset: '4gb', out: tmp() })).toThrow(UsageError);
  });
});

describe('multi-host plans in the CLI', () => {
  it('export --target kubernetes writes nodeSelector from the hosts; --host is refused for a plan that lists its hosts', () => {
    const dir = tmp();
    const file = join(dir, 'split.yaml');
    writeFileSync(file, 'hosts:\n  - { name: app, ram: 4GiB, labels: [role=app] }\n  - { name: db, ram: 2GiB, labels: [role=db] }\nservices:\n  - { name: postgres, kind: postgres, limit: 1GiB, host: db }\n  - { name: redis, kind: redis, limit: 256MiB, host: app }\n');
    const out = join(dir, 'out');
    expect(runExport([file], { out, target: 'kubernetes' }).code).toBe(0);
    const text = readFileSync(join(out, readdirSync(out).find((f) => f.startsWith('kubernetes-'))!), 'utf8');
    expect(text).toContain('nodeSelector:\n        role: db');
    expect(() => runExport([file], { out, host: '8GiB' })).toThrow(UsageError);
  });
});
