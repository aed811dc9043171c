/**
 * A fix's changes in the terms of the file they go into (fix-words.ts): a compose file's own keys,
 * flags and lines for compose input (its user has no plan file), plan-file keys for a plan, and the
 * value as the words say it beside the file's syntax when the two numbers differ.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, type Change } from '../engine/index.ts';
import { loadPlan } from './io.ts';
import { checkedFrom } from './output.ts';
import { findingLines } from './render.ts';
import { reportMarkdown } from './markdown.ts';
import { planChangesText, valueWords } from './fix-words.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-fix-words-'));
const COMPOSE = `services:
  cache:
    image: redis:7.2
    command: redis-server --maxmemory 400mb --maxmemory-policy noeviction
    mem_limit: 256m
  db:
    image: postgres:16
    command: postgres -c max_connections=500 -c shared_buffers=512MB
    deploy:
      resources:
        limits:
          memory: 600m
`;

function checked(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const source = loadPlan(file, undefined, '2GiB');
  const report = evaluate(source.plan);
  return { c: checkedFrom('check', source, file, report), report, file };
}

describe('a compose file: the fix in its own keys', () => {
  const { c, report, file } = checked('docker-compose.yml', COMPOSE);
  const say = (changes: Change[]) => c.changesText(changes, 12);

  it('a limit at the key the file uses (deploy limits here), a setting at the flag that carries it, a new key as added', () => {
    expect(say([{ service: 'db', key: 'limit', value: '1728MiB' }])).toBe(`in ${file}: services.db.deploy.resources.limits.memory: 600m → 1728m (1.69 GiB)`);
    expect(say([{ service: 'cache', key: 'settings.maxmemory', value: '88MiB' }])).toBe(`in ${file}: services.cache.command: … --maxmemory 400mb … → … --maxmemory 88mb …`);
    expect(say([{ service: 'db', key: 'settings.sharedBuffers', value: '144MiB' }])).toBe(`in ${file}: services.db.command: … -c shared_buffers=512MB → … -c shared_buffers=144MB`);
    expect(say([{ service: 'db', key: 'settings.shmSize', value: '128MiB' }])).toBe(`in ${file}: services.db.shm_size: 128m (added)`);
  });

  it('what a compose file cannot hold is said in words: the host as check\'s --host, the CPUs', () => {
    expect(say([{ key: 'host.ram', value: '4GiB' }])).toBe(`try that host: headroom check ${file} --host 4GiB`);
    expect(say([{ key: 'host.cpus', value: 3 }])).toBe("set the host's vCPUs to 3");
  });

  it('the text and the Markdown name the file\'s lines, never the plan file, and say what writes the edits', () => {
    const text = findingLines(report.findings, c).join('\n');
    expect(text).toMatch(new RegExp(`in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 4: services\\.cache\\.command: … --maxmemory 400mb … → … --maxmemory \\d+mb …`));
    expect(text).toMatch(/to write them: headroom fit .* --out DIR/);
    expect(text).not.toMatch(/plan file|\bsettings\.[a-zA-Z]+:|\blimit: \d/);
    const md = reportMarkdown(c);
    expect(md).toMatch(/ — in .*docker-compose\.yml line 12: services\.db\.deploy\.resources\.limits\.memory: 600m → \d+m/);
    expect(md).not.toMatch(/plan file/);
  });
});

describe('a plan file: the fix in plan-file keys', () => {
  it('with the value in words beside the file\'s syntax when the numbers differ', () => {
    expect(planChangesText([{ service: 'postgres', key: 'limit', value: '1728MiB' }], 12)).toBe('in the plan file, set limit: 1728MiB (1.69 GiB) on postgres');
    expect(planChangesText([{ service: 'redis', key: 'settings.maxmemory', value: '104MiB' }], 12, undefined, 'plan.yml line 27')).toBe('in the plan file, set settings.maxmemory: 104MiB on redis (plan.yml line 27)');
    expect(valueWords({ service: 'db', key: 'settings.maxConnections', value: 2000 })).toBeNull();
    expect(valueWords({ key: 'host.ram', value: '1.5GiB' })).toBeNull();
    expect(valueWords({ key: 'host.ram', value: '1536MiB' })).toBe('1.5 GiB');
  });

  it('a plan file\'s check keeps the plan-file wording', () => {
    const { c, report } = checked('plan.yml', 'version: 1\nhost: { ram: 2GiB }\nservices:\n  - name: cache\n    kind: redis\n    limit: 256MiB\n    settings: { maxmemory: 250MiB, persistence: rdb }\n');
    expect(findingLines(report.findings, c).join('\n')).toMatch(/in the plan file, set settings\.maxmemory: \d+MiB on cache \(.*plan\.yml line \d+\)/);
  });
});
