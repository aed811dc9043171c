/**
 * Exposure told truthfully (issue 11): each exported config says how its service is reached,
 * from the compose file's ports and network_mode, and sets bind, protected-mode and the password
 * guidance to match — never shutting out a client the stack has.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeImport } from '../compose-import/index.ts';
import { exposureOf } from '../compose-import/ports.ts';
import { exportFiles } from './index.ts';

function exported(compose: string): Map<string, string> {
  const r = composeImport(compose, { host: '4GiB' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return new Map(exportFiles(r.plan).map((f) => [f.path, f.content]));
}

const stack = (extra: { db?: string; cache?: string; api?: string }) => `services:
  api:
    image: ghcr.io/example/api:1
    mem_limit: 256m
${extra.api ?? ''}  db:
    image: postgres:16
    mem_limit: 512m
${extra.db ?? ''}  cache:
    image: redis:7
    mem_limit: 128m
${extra.cache ?? ''}`;

describe('compose ports and network_mode → exposure', () => {
  it.each([
    [{ ports: ['6379'] }, { published: [{ address: '0.0.0.0', port: '', target: '6379' }] }],
    [{ ports: ['6380:6379/tcp', 5432] }, { published: [{ address: '0.0.0.0', port: '6380', target: '6379' }, { address: '0.0.0.0', port: '', target: '5432' }] }],
    [{ ports: ['127.0.0.1:6379:6379', '[::1]:6379:6379'] }, { published: [{ address: '127.0.0.1', port: '6379', target: '6379' }, { address: '::1', port: '6379', target: '6379' }] }],
    [{ ports: [{ target: 5432, published: '5433', host_ip: '10.0.0.5' }] }, { published: [{ address: '10.0.0.5', port: '5433', target: '5432' }] }],
    [{ network_mode: 'host' }, { hostNetwork: true }],
    [{ expose: ['6379'] }, undefined],
  ])('%j → %j', (svc, want) => expect(exposureOf(svc)).toEqual(want));
});

describe('the exported configs say how each server is reached', () => {
  it('on the compose network only: as before, bound everywhere on that network, no password claim beyond it', () => {
    const f = exported(stack({}));
    expect(f.get('redis.conf')).toMatch(/^# How it is reached: reached only on the compose network: no port published, no host network\.$/m);
    expect(f.get('redis.conf')).toMatch(/^protected-mode no$/m);
    expect(f.get('postgresql.conf')).toMatch(/^listen_addresses = '\*'$/m);
    expect(f.get('postgresql.conf')).not.toMatch(/WARNING/);
  });

  it('a Redis on network_mode: host is not told "no port published": it is warned, and keeps its compose clients', () => {
    const f = exported(stack({ cache: '    network_mode: host\n' }));
    const conf = f.get('redis.conf')!;
    expect(conf).not.toMatch(/no port published/);
    expect(conf).toMatch(/^# How it is reached: network_mode: host: it listens on every interface of the host itself/m);
    expect(conf).toMatch(/^# WARNING: no password is set/m);
    // The api on the compose network reaches it through the host's address: protected mode would refuse it.
    expect(conf).toMatch(/^bind \* -::\*$/m);
    expect(conf).toMatch(/^protected-mode no$/m);
    const compose = parse(f.get([...f.keys()].find((k) => /compose.*\.yml$/.test(k))!)!) as { services: Record<string, { network_mode?: string; ports?: unknown }> };
    expect(compose.services.cache!.network_mode).toBe('host');
    expect(compose.services.cache!.ports).toBeUndefined();
    expect(f.get('postgresql.conf')).toMatch(/^# How it is reached: reached only on the compose network/m);
  });

  it('every service on the host network: Redis and PostgreSQL listen on localhost, Redis in protected mode', () => {
    const f = exported(stack({ api: '    network_mode: host\n', db: '    network_mode: host\n', cache: '    network_mode: host\n' }));
    expect(f.get('redis.conf')).toMatch(/^bind 127\.0\.0\.1 -::1$/m);
    expect(f.get('redis.conf')).toMatch(/^protected-mode yes$/m);
    expect(f.get('postgresql.conf')).toMatch(/^listen_addresses = 'localhost'$/m);
    expect(f.get('postgresql.conf')).toMatch(/^# How it is reached: network_mode: host, like every service of this stack/m);
  });

  it('a published port: on every interface, a warning and the password advice; on loopback, said so; the compose file keeps the ports', () => {
    const f = exported(stack({ db: '    ports: ["5432:5432"]\n', cache: '    ports: ["127.0.0.1:6379:6379"]\n' }));
    expect(f.get('postgresql.conf')).toMatch(/^# How it is reached: published on 0\.0\.0\.0:5432→5432 \(0\.0\.0\.0: every interface of the host\): reachable from outside the host unless a firewall stops it\.$/m);
    expect(f.get('postgresql.conf')).toMatch(/^# WARNING: its password/m);
    expect(f.get('redis.conf')).toMatch(/^# How it is reached: published on the host's loopback only \(127\.0\.0\.1:6379→6379\)/m);
    expect(f.get('redis.conf')).not.toMatch(/WARNING/);
    const name = [...f.keys()].find((k) => /compose.*\.yml$/.test(k))!;
    const compose = parse(f.get(name)!) as { services: Record<string, { ports?: string[] }> };
    expect(compose.services.db!.ports).toEqual(['5432:5432']);
    expect(compose.services.cache!.ports).toEqual(['127.0.0.1:6379:6379']);
    expect(f.get(name)).toMatch(/# How it is reached: published on 0\.0\.0\.0:5432→5432/);
  });
});
