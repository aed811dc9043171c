/** Property tests: no input crashes the importer; every failure is a typed, readable issue. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { composeEdit, composeImport, type ComposeImportResult } from './index.ts';
import { planParse } from '../../engine/schema.ts';
import { evaluate } from '../../engine/evaluate.ts';

const RUNS = { numRuns: 300, seed: 20261127 };

function readable(r: ComposeImportResult): void {
  if (r.ok) {
    const report = evaluate(r.plan);
    expect(JSON.stringify(report)).not.toMatch(/NaN/);
    for (const s of r.services) expect(s.why).toMatch(/\w/);
    return;
  }
  expect(r.issues.length).toBeGreaterThan(0);
  for (const i of r.issues) {
    expect(typeof i.path).toBe('string');
    expect(i.message).toMatch(/\w/);
    expect(`${i.path} ${i.message}`).not.toMatch(/undefined|NaN|\[object Object\]/);
    // A YAML syntax error says where it is.
    if (i.path.startsWith('line ')) expect(i).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  }
}

const size = fc.oneof(
  fc.constantFrom('512m', '1g', '1.5gb', '1GiB', '512 MB', '0', '64k', '12Q', '-5m', '', 'lots', '${MEM:-256m}', '${MEM:?no}', '${'),
  fc.integer({ min: -10, max: 2 ** 40 }),
  fc.double({ noNaN: false }),
  fc.constant(null),
);
const image = fc.constantFrom('postgres:16', 'redis:7', 'valkey/valkey', 'bitnami/redis', 'bitnami/postgresql', 'edoburu/pgbouncer', 'prom/prometheus', 'grafana/grafana', 'prom/alertmanager', 'nginx', 'prom/node-exporter', '', '${IMG}', 'a:b:c@d');
const word = fc.constantFrom('uvicorn', 'gunicorn', '--workers', '-w', '3', 'x', 'redis-server', '--maxmemory', '256mb', '--save', '', '--appendonly', 'yes', 'postgres', '-c', 'shared_buffers=1GB', 'work_mem=-1', 'max_connections=abc', 'sh', '-c', '--storage.tsdb.retention.time=7d', '--storage.tsdb.retention.time', 'forever', '--preload', '"', "'", '${X}');
const command = fc.oneof(fc.array(word, { maxLength: 8 }), fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')), fc.integer(), fc.constant(null));
const service = fc.record({
  image,
  command,
  entrypoint: fc.oneof(fc.constant(undefined), command),
  mem_limit: size,
  mem_reservation: size,
  memswap_limit: size,
  shm_size: size,
  scale: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant('many')),
  deploy: fc.oneof(fc.constant(undefined), fc.record({ replicas: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.string()), resources: fc.oneof(fc.constant('x'), fc.record({ limits: fc.oneof(fc.constant(null), fc.record({ memory: size })), reservations: fc.record({ memory: size }) })) }, { requiredKeys: [] })),
  environment: fc.oneof(fc.dictionary(fc.constantFrom('WEB_CONCURRENCY', 'POOL_MODE', 'MAX_CLIENT_CONN', 'REDIS_AOF_ENABLED', 'POSTGRESQL_EXTRA_FLAGS', 'X'), fc.oneof(fc.string(), fc.integer(), fc.constant(null))), fc.array(fc.string(), { maxLength: 3 }), fc.integer()),
  profiles: fc.oneof(fc.constant(undefined), fc.array(fc.constantFrom('a', 'b', '*'), { maxLength: 2 })),
  extends: fc.oneof(fc.constant(undefined), fc.constantFrom('s0', 's1', 's2'), fc.record({ service: fc.constantFrom('s0', 's1', 'zz'), file: fc.constantFrom(undefined, 'x.yml') }, { requiredKeys: ['service'] })),
  'x-headroom': fc.oneof(fc.constant(undefined), fc.record({ kind: fc.constantFrom('fastapi', 'redis', 'generic', 'mysql', 3), settings: fc.oneof(fc.constant('no'), fc.dictionary(fc.constantFrom('workers', 'maxmemory', 'usage', 'bogus'), fc.oneof(fc.integer(), fc.string()))) }, { requiredKeys: [] })),
  volumes: fc.array(fc.constantFrom('./redis.conf:/usr/local/etc/redis/redis.conf', 'data:/data', './x', ':'), { maxLength: 2 }),
}, { requiredKeys: [] });
const composeDoc = fc.record({
  version: fc.constantFrom(undefined, '3.8', 2.4),
  name: fc.oneof(fc.constant(undefined), fc.string()),
  services: fc.dictionary(fc.constantFrom('s0', 's1', 's2', 'web', 'db', '_x', 'a.b', 'UPPER'), fc.oneof(service, fc.constant(null), fc.string())),
  configs: fc.constant({ c: { content: 'maxmemory 1mb' } }),
}, { requiredKeys: ['services'] });

/** Compose text in the styles people write: block and flow maps, comments, anchors and merge
 * keys, limits in every place and form, commands as strings and lists. Built from fixed pools. */
const limitForm = fc.constantFrom('512m', '1g', '268435456', '"300M"', '${MEM:-256m}', '${SET_MEM:-256m}', '1.5gb');
const serviceText = fc.record({
  kind: fc.constantFrom('redis', 'postgres', 'nginx'),
  flow: fc.boolean(),
  place: fc.constantFrom('none', 'mem', 'deploy', 'both', 'anchor'),
  form: limitForm,
  command: fc.constantFrom('none', 'string', 'list', 'flowlist'),
  comment: fc.boolean(),
  swap: fc.boolean(),
});
const composeText = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'db', 'cache'), { minLength: 1, maxLength: 4 }).chain((names) =>
  fc.tuple(fc.constant(names), fc.array(serviceText, { minLength: names.length, maxLength: names.length }), fc.boolean()).map(([ns, specs, header]) => {
    const lines: string[] = header ? ['# stack', 'x-limits: &limits', '  deploy:', '    resources:', '      limits:', '        memory: 384m', ''] : [];
    lines.push('services:');
    ns.forEach((name, i) => {
      const s = specs[i]!;
      const image = s.kind === 'redis' ? 'redis:7' : s.kind === 'postgres' ? 'postgres:16' : 'nginx:1';
      const words = s.kind === 'redis' ? ['redis-server', '--maxmemory', '32mb'] : s.kind === 'postgres' ? ['postgres', '-c', 'shared_buffers=64MB'] : ['nginx', '-g', 'daemon off;'];
      const form = s.form === '1.5gb' || s.form === '1g' ? s.form : s.form;
      const entries: Array<[string, string]> = [['image', image]];
      if (s.place === 'mem' || s.place === 'both') entries.push(['mem_limit', s.place === 'both' ? '512m' : form]);
      if (s.place === 'deploy' || s.place === 'both') entries.push(['deploy', s.flow ? '{resources: {limits: {memory: 512m}}}' : '\n      resources:\n        limits:\n          memory: 512m']);
      if (s.place === 'anchor' && header) entries.push(['<<', '*limits']);
      if (s.swap && (s.place === 'mem' || s.place === 'both')) entries.push(['memswap_limit', s.place === 'both' ? '512m' : form]);
      if (s.command === 'string') entries.push(['command', words.map((w) => (/\s|;/.test(w) ? `'${w}'` : w)).join(' ')]);
      if (s.command === 'flowlist') entries.push(['command', `[${words.map((w) => JSON.stringify(w)).join(', ')}]`]);
      if (s.command === 'list') entries.push(['command', `\n${words.map((w) => `      - ${JSON.stringify(w)}`).join('\n')}`]);
      const comment = s.comment ? '   # note' : '';
      // In a flow mapping a `${…}` value must be quoted (a plain `{` starts a flow mapping).
      const flowValue = (v: string) => (v.startsWith('$') ? JSON.stringify(v) : v);
      if (s.flow && !entries.some(([, v]) => v.startsWith('\n'))) lines.push(`  ${name}: {${entries.map(([k, v]) => `${k}: ${flowValue(v)}`).join(', ')}}${comment}`);
      else {
        lines.push(`  ${name}:${comment}`);
        for (const [k, v] of entries) lines.push(`    ${k}:${v.startsWith('\n') ? '' : ' '}${v}${k === 'image' && s.comment ? '  # pinned' : ''}`);
      }
    });
    return `${lines.join('\n')}\n`;
  }));

describe('compose import never crashes (fast-check, seeded)', () => {
  it('on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => readable(composeImport(text))), RUNS);
  });

  it('on random YAML-looking text', () => {
    const token = fc.constantFrom('services:', '\n', '  ', 'a:', '- ', '&x ', '*x', '<<: ', '{', '}', '[', ']', ',', '"', "'", '#c', 'mem_limit: ', '512m', '${V}', '!!str ', '? ', '|', '---', '...');
    fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (tokens) => readable(composeImport(tokens.join('')))), RUNS);
  });

  it('on any YAML value', () => {
    fc.assert(fc.property(fc.anything(), (value) => readable(composeImport(stringify(value)))), RUNS);
  });

  it('on random compose-like documents, with random .env and environment', () => {
    const env = fc.dictionary(fc.constantFrom('MEM', 'IMG', 'X', 'COMPOSE_PROFILES'), fc.constantFrom('', '1g', 'a,b', 'nginx', '${MEM}'));
    fc.assert(fc.property(composeDoc, env, fc.string({ maxLength: 80 }), (doc, environment, envText) => {
      const r = composeImport(stringify(doc), { environment, envText, readFile: (p) => (p.endsWith('.conf') ? 'maxmemory 12mb\nsave ""' : undefined), host: '2GiB' });
      readable(r);
    }), RUNS);
  });

  it('writes any imported document back: unchanged → the same text; new settings → YAML that imports to them', () => {
    fc.assert(fc.property(composeText, fc.integer({ min: 64, max: 8192 }), fc.integer({ min: 1, max: 60 }), (text, limit, cacheMiB) => {
      const r = composeImport(text, { envText: 'SET_MEM=700m' });
      if (!r.ok) throw new Error(`${JSON.stringify(r.issues)}\n${text}`);
      const same = composeEdit(text, r.plan, { envText: 'SET_MEM=700m' });
      if (!same.ok) throw new Error('edit');
      expect(same.text).toBe(text);
      const input = structuredClone(r.input);
      for (const s of input.services) {
        s.limit = `${limit}MiB`;
        if (s.kind === 'redis') s.settings = { ...s.settings, maxmemory: `${cacheMiB}MiB` };
        if (s.kind === 'postgres') s.settings = { ...s.settings, sharedBuffers: `${cacheMiB}MiB`, maxConnections: cacheMiB + 10 };
      }
      const changed = planParse(input);
      if (!changed.ok) throw new Error(JSON.stringify(changed.issues));
      const e = composeEdit(text, changed.plan);
      if (!e.ok) throw new Error(JSON.stringify(e.issues));
      const again = composeImport(e.text);
      if (!again.ok) throw new Error(`${JSON.stringify(again.issues)}\n--- from ---\n${text}\n--- edited ---\n${e.text}`);
      for (const s of again.plan.services) {
        const note = `${s.name} in\n${e.text}`;
        expect(s.limit, note).toBe(limit);
        if (s.kind === 'redis' && e.notes.every((n) => !n.includes(`services.${s.name}:`))) expect(s.settings.maxmemory, note).toBe(cacheMiB);
        if (s.kind === 'postgres' && e.notes.every((n) => !n.includes(`services.${s.name}:`))) expect(s.settings, note).toMatchObject({ sharedBuffers: cacheMiB, maxConnections: cacheMiB + 10 });
      }
      // The lines that go are memory lines only.
      const kept = new Map<string, number>();
      for (const l of e.text.split('\n')) kept.set(l, (kept.get(l) ?? 0) + 1);
      for (const l of text.split('\n')) {
        const n = kept.get(l) ?? 0;
        if (n > 0) kept.set(l, n - 1);
        else expect(l).toMatch(/mem_limit|memswap_limit|memory|command|^\s*- |\{/);
      }
    }), { numRuns: 300, seed: 20261127 });
  });
});
