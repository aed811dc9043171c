/**
 * The exported Docker Swarm stack on a real single-node Swarm (issue 14): a two-host plan
 * (PostgreSQL alone on `db`, Redis on `app`, one more Redis pinned to a `gpu` host whose label no
 * node has) exported with --target swarm, deployed with `docker stack deploy` on a private engine
 * after `docker swarm init`, the node labelled with the plan's `app` and `db` labels. Every
 * service with a node converges to running on the local images; `docker service inspect` shows
 * each planned limit and reservation, the placement constraints and the /dev/shm tmpfs; the
 * pinned service stays pending with "no suitable node". The stack, the swarm and the engine are
 * removed also when a step fails. Its seconds are printed (CI's budget: the README).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as yamlParse, stringify } from 'yaml';
import { DockerEngine, sleep } from './engine.ts';
import { loadImages, localImageFor, localTag, testDir } from './images.ts';
import { planParse, type Plan } from '../../src/engine/schema.ts';
import { exportOf } from '../../src/formats/export/index.ts';
import { composeMemory } from '../../src/formats/export/compose.ts';
import { stackOf } from '../../src/formats/export/stack.ts';

const PLAN = {
  name: 'swarm-test',
  hosts: [
    { name: 'app', ram: '2GiB', labels: ['headroom.app=yes'] },
    { name: 'db', ram: '2GiB', labels: ['headroom.db=yes'] },
    // No node has this label: its service must stay pending.
    { name: 'gpu', ram: '2GiB', labels: ['headroom.gpu=yes'] },
  ],
  services: [
    { name: 'postgres', kind: 'postgres', limit: '512MiB', host: 'db', settings: { sharedBuffers: '64MiB', maxConnections: 20, shmSize: '96MiB' } },
    { name: 'redis', kind: 'redis', limit: '128MiB', host: 'app', settings: { maxmemory: '64MiB' } },
    { name: 'pinned', kind: 'redis', limit: '64MiB', host: 'gpu', settings: { maxmemory: '16MiB' } },
  ],
};
const STACK = 'hr';
const MiB = 1024 * 1024;

let engine: DockerEngine | undefined;
let dir = '';
let plan: Plan;
const t0 = Date.now();

beforeAll(async () => {
  const r = planParse(PLAN);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  plan = r.plan;
  dir = testDir('headroom-swarm');
  engine = await DockerEngine.start({ log: (s) => console.log(s) });
  await loadImages(engine, (s) => console.log(`[images] ${s}`));
  await engine.dockerOk(['swarm', 'init', '--advertise-addr', '127.0.0.1'], { timeoutMs: 60_000 });
  const node = (await engine.dockerOk(['node', 'ls', '--format', '{{.ID}}'])).trim();
  for (const h of plan.hosts!.filter((x) => x.name !== 'gpu')) for (const l of h.labels) await engine.dockerOk(['node', 'update', '--label-add', l, node]);
}, 15 * 60_000);

afterAll(async () => {
  try {
    if (engine) {
      await engine.docker(['stack', 'rm', STACK], { timeoutMs: 60_000 });
      await engine.docker(['swarm', 'leave', '--force'], { timeoutMs: 60_000 });
    }
  } finally {
    await engine?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`swarm test: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  }
}, 5 * 60_000);

type Spec = { Name: string; Spec: { TaskTemplate: { Resources: { Limits?: { MemoryBytes?: number }; Reservations?: { MemoryBytes?: number } }; Placement?: { Constraints?: string[] }; ContainerSpec: { Mounts?: Array<{ Type: string; Target: string; TmpfsOptions?: { SizeBytes?: number } }>; Image: string } } } };

/** The running/desired tasks of each service, by `docker service ls`. */
async function replicas(): Promise<Map<string, string>> {
  const out = await engine!.dockerOk(['service', 'ls', '--format', '{{.Name}} {{.Replicas}}']);
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

describe('the exported Swarm stack on a single-node Swarm', () => {
  it('deploys; every service with a node runs, with each planned limit and reservation; the pinned one stays pending', async () => {
    const deployStart = Date.now();
    const exported = exportOf(plan, { target: 'swarm' });
    for (const f of exported.files) writeFileSync(join(dir, f.path), f.content);
    const stackFile = exported.files[0]!;
    // Local images stand in for the registry's (no registry here): the same names the stack test maps.
    const doc = yamlParse(stackFile.content) as { services: Record<string, { image: string }>; secrets?: Record<string, unknown> };
    for (const svc of Object.values(doc.services)) {
      const local = localImageFor(svc.image);
      if (!local) throw new Error(`no local image for ${svc.image}`);
      svc.image = localTag(local);
    }
    writeFileSync(join(dir, stackFile.path), stringify(doc));
    // Secrets by reference: created first, as the file's header says.
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    for (const name of Object.keys(doc.secrets ?? {})) {
      writeFileSync(join(dir, 'secrets', name), 'swarm-test-password\n', { mode: 0o600 });
      await engine!.dockerOk(['secret', 'create', name, join(dir, 'secrets', name)]);
    }
    await engine!.dockerOk(['stack', 'deploy', '-c', stackFile.path, STACK], { cwd: dir, timeoutMs: 120_000 });

    // Converge: postgres and redis 1/1, at most 3 minutes.
    let seen = new Map<string, string>();
    for (let i = 0; i < 90; i++) {
      seen = await replicas();
      if (seen.get(`${STACK}_postgres`) === '1/1' && seen.get(`${STACK}_redis`) === '1/1') break;
      await sleep(2000);
    }
    console.log(`converged in ${((Date.now() - deployStart) / 1000).toFixed(1)} s: ${[...seen].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(seen.get(`${STACK}_postgres`)).toBe('1/1');
    expect(seen.get(`${STACK}_redis`)).toBe('1/1');
    // Running, not restarting: the task that runs is the first one.
    for (const name of ['postgres', 'redis']) {
      const states = (await engine!.dockerOk(['service', 'ps', '--format', '{{.CurrentState}}', `${STACK}_${name}`])).trim().split('\n');
      expect(states[0], name).toMatch(/^Running/);
    }

    // docker service inspect: each planned limit and reservation, constraints, /dev/shm.
    const planned = new Map(composeMemory(stackOf(plan)).map((m) => [m.name, m]));
    for (const name of ['postgres', 'redis', 'pinned']) {
      const [spec] = JSON.parse(await engine!.dockerOk(['service', 'inspect', `${STACK}_${name}`])) as Spec[];
      const m = planned.get(name)!;
      const res = spec!.Spec.TaskTemplate.Resources;
      expect(res.Limits?.MemoryBytes, `${name} limit`).toBe(m.limit! * MiB);
      expect(res.Reservations?.MemoryBytes, `${name} reservation`).toBe(m.reservation! * MiB);
      const host = plan.hosts!.find((h) => h.name === plan.services.find((s) => s.name === name)!.host![0])!;
      expect(spec!.Spec.TaskTemplate.Placement?.Constraints).toEqual(host.labels.map((l) => `node.labels.${l.replace('=', '==')}`));
    }
    const [pg] = JSON.parse(await engine!.dockerOk(['service', 'inspect', `${STACK}_postgres`])) as Spec[];
    expect(pg!.Spec.TaskTemplate.ContainerSpec.Mounts?.find((x) => x.Target === '/dev/shm')).toMatchObject({ Type: 'tmpfs', TmpfsOptions: { SizeBytes: 96 * MiB } });
    // The container really has it: /dev/shm of 96 MiB, and its memory cgroup limit is the plan's.
    const cid = (await engine!.dockerOk(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${STACK}_postgres`])).trim().split('\n')[0]!;
    expect(cid).not.toBe('');
    const df = await engine!.dockerOk(['exec', cid, 'df', '-k', '/dev/shm']);
    expect(df).toMatch(new RegExp(`\\s${96 * 1024}\\s`));
    const inspected = JSON.parse(await engine!.dockerOk(['inspect', cid])) as Array<{ HostConfig: { Memory: number } }>;
    expect(inspected[0]!.HostConfig.Memory).toBe(512 * MiB);

    // The pinned service: no node has headroom.gpu=yes.
    const pinned = (await engine!.dockerOk(['service', 'ps', '--no-trunc', '--format', '{{.CurrentState}}|{{.Error}}', `${STACK}_pinned`])).trim();
    expect(seen.get(`${STACK}_pinned`)).toBe('0/1');
    expect(pinned).toMatch(/^Pending/);
    expect(pinned).toContain('no suitable node');
    console.log(`swarm deploy step: ${((Date.now() - deployStart) / 1000).toFixed(1)} s (deploy to checks)`);
  }, 10 * 60_000);
});
