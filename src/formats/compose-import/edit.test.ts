/**
 * The round trip: import a compose file, change the plan, write it back. The edited document is
 * compared with the original key by key and comment by comment: only memory settings change,
 * only the plan's additions are added, and every other key, comment and the key order stay.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { composeImport } from './index.ts';
import { composeEdit, sizeLike } from './edit.ts';
import { evaluate } from '../../engine/evaluate.ts';
import { applyChange } from '../../engine/change.ts';
import { planParse, type Plan, type PlanInput } from '../../engine/schema.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();

/** Keys an edit may change or add inside a service, and how a changed path may end. */
const MEMORY_KEYS = new Set(['mem_limit', 'memswap_limit', 'shm_size', 'deploy', 'command', 'resources', 'limits', 'memory', 'cpus']);

type Diff = string[];
const keyOf = (k: unknown): string => (isScalar(k) ? (typeof k.value === 'symbol' ? (k.value.description ?? '<<') : String(k.value)) : String(k));

/** Every difference between two documents that is not an allowed memory edit or addition. */
function compareDocs(a: string, b: string, addedServices: string[]): Diff {
  const diffs: Diff = [];
  const da = parseDocument(a, { merge: true });
  const db = parseDocument(b, { merge: true });
  expect(db.errors).toEqual([]);
  if (da.commentBefore !== db.commentBefore) diffs.push('document comment');
  if (da.comment !== db.comment) diffs.push('document end comment');
  const memoryPath = (path: string[]) => path[0] === 'services' && path.length >= 3 && MEMORY_KEYS.has(path[2]!);
  const walk = (x: unknown, y: unknown, path: string[]) => {
    const where = path.join('.') || '(root)';
    for (const k of ['commentBefore', 'comment'] as const) {
      if ((x as Node | null)?.[k] !== (y as Node | null)?.[k] && !memoryPath(path)) diffs.push(`${where}: ${k} ${JSON.stringify((x as Node)?.[k])} → ${JSON.stringify((y as Node)?.[k])}`);
    }
    if (isMap(x)) {
      if (!isMap(y)) return void (memoryPath(path) || diffs.push(`${where}: no longer a mapping`));
      const kx = x.items.map((p) => keyOf(p.key));
      const ky = y.items.map((p) => keyOf(p.key));
      if (kx.join('\n') !== ky.slice(0, kx.length).join('\n')) diffs.push(`${where}: keys ${kx.join(',')} → ${ky.join(',')}`);
      for (const extra of ky.slice(kx.length)) {
        const ok = path.join('.') === 'services' ? addedServices.includes(extra) : memoryPath([...path, extra]);
        if (!ok) diffs.push(`${where}: added key ${extra}`);
      }
      x.items.forEach((p, i) => {
        const q = y.items[i];
        if (!isPair(p) || !isPair(q)) return;
        const kp = keyOf(p.key);
        if ((p.key as Node | null)?.commentBefore !== (q.key as Node | null)?.commentBefore) diffs.push(`${where}.${kp}: key comment`);
        walk(p.value, q.value, [...path, kp]);
      });
    } else if (isSeq(x)) {
      if (!isSeq(y)) return void (memoryPath(path) || diffs.push(`${where}: no longer a sequence`));
      if (x.items.length !== y.items.length && !memoryPath(path)) diffs.push(`${where}: ${x.items.length} → ${y.items.length} items`);
      x.items.forEach((item, i) => walk(item, y.items[i], [...path, String(i)]));
    } else if (isScalar(x)) {
      if (!isScalar(y) || x.value !== y.value || x.type !== y.type) {
        if (!memoryPath(path)) diffs.push(`${where}: ${JSON.stringify(x.value)} → ${JSON.stringify(isScalar(y) ? y.value : y)}`);
      }
    } else if (isAlias(x)) {
      if (!isAlias(y) || x.source !== y.source) {
        if (!memoryPath(path)) diffs.push(`${where}: alias *${x.source} changed`);
      }
    }
  };
  walk(da.contents, db.contents, []);
  return diffs;
}

/** Lines of the original that are gone from the edit: only memory lines may go. */
function goneLines(a: string, b: string): string[] {
  const left = new Map<string, number>();
  for (const l of b.split('\n')) left.set(l, (left.get(l) ?? 0) + 1);
  return a.split('\n').filter((l) => {
    const n = left.get(l) ?? 0;
    if (n > 0) {
      left.set(l, n - 1);
      return false;
    }
    return true;
  });
}

function corpus(file: string) {
  const envPath = join(DIR, file.replace(/\.yml$/, '.env'));
  const envText = existsSync(envPath) ? readFileSync(envPath, 'utf8') : undefined;
  const readFile = (p: string) => (p === '.env' ? envText : existsSync(join(DIR, p)) ? readFileSync(join(DIR, p), 'utf8') : undefined);
  return { text: readFileSync(join(DIR, file), 'utf8'), options: { envText, readFile } };
}

function planOf(input: PlanInput): Plan {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
}

/** The plan with every finding's fix applied once (what "apply all" in the app would do). */
function allFixed(input: PlanInput): PlanInput {
  let out = input;
  for (const f of evaluate(planOf(input)).findings) {
    for (const c of f.fix.changes) out = applyChange(out, c);
  }
  return out;
}

describe('compose round trip over the corpus', () => {
  it.each(FILES)('%s: an unchanged plan writes the file back byte for byte', (file) => {
    const { text, options } = corpus(file);
    const r = composeImport(text, options);
    if (!r.ok) throw new Error('import');
    // Only the plan's own additions (implied pgBouncer, AlertManager, exporters) may appear.
    const e = composeEdit(text, r.plan, options);
    if (!e.ok) throw new Error(JSON.stringify(e.issues));
    const added = e.changes.filter((c) => /: added \(/.test(c));
    if (added.length === 0) expect(e.text).toBe(text);
    else expect(goneLines(text, e.text)).toEqual([]);
  });

  it.each(FILES)('%s: every fix applied: only memory settings change, keys/comments/order stay, and it imports to the plan', (file) => {
    const { text, options } = corpus(file);
    const r = composeImport(text, options);
    if (!r.ok) throw new Error('import');
    const target = planOf(allFixed(r.input));
    const e = composeEdit(text, target, options);
    if (!e.ok) throw new Error(JSON.stringify(e.issues));
    const added = e.changes.filter((c) => /: added \(/.test(c)).map((c) => /^services\.([^:]+):/.exec(c)![1]!);
    expect(compareDocs(text, e.text, added)).toEqual([]);
    for (const line of goneLines(text, e.text)) expect(line).toMatch(/mem_limit|memory|memswap_limit|shm_size|cpus|command|^\s*- /);

    // The edited file imports to the target's memory settings (where no variable overrides them).
    const again = composeImport(e.text, options);
    if (!again.ok) throw new Error(JSON.stringify(again.issues));
    const overridden = e.notes.filter((n) => /still wins/.test(n)).map((n) => /^services\.([^.]+)\./.exec(n)?.[1]);
    for (const s of again.plan.services) {
      const want = target.services.find((t) => t.name === s.name);
      if (!want || overridden.includes(s.name)) continue;
      // A fix may leave a service without a limit (no-limit findings propose none since the verdict merge).
      if (want.limit === null) expect(s.limit, `${s.name} limit`).toBeNull();
      else expect(s.limit, `${s.name} limit`).toBeCloseTo(want.limit, 0);
      // The CPU cap too (the cpu-over-limit finding's fix).
      if (want.cpus !== undefined) expect(s.cpus, `${s.name} cpus`).toBe(want.cpus);
      if (s.kind === 'redis' && want.kind === 'redis' && e.changes.some((c) => c.startsWith(`services.${s.name}.command`))) expect(s.settings.maxmemory, s.name).toBeCloseTo(want.settings.maxmemory, 0);
      if (s.kind === 'postgres' && want.kind === 'postgres') {
        expect(s.settings.shmSize, `${s.name} shm`).toBe(want.settings.shmSize);
        expect(s.settings.maxConnections, `${s.name} max_connections`).toBe(want.settings.maxConnections);
      }
    }
  });
});

describe('composeEdit', () => {
  const edit = (text: string, change: (p: PlanInput) => void, options = {}) => {
    const r = composeImport(text, options);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const input = structuredClone(r.input);
    change(input);
    const e = composeEdit(text, planOf(input), options);
    if (!e.ok) throw new Error(JSON.stringify(e.issues));
    return e;
  };
  const svc = (p: PlanInput, name: string) => p.services.find((s) => s.name === name)!;

  describe('the CPU cap (cpus)', () => {
    const app = (extra: string) => `# the app\nservices:\n  api:\n    image: tiangolo/uvicorn-gunicorn-fastapi:python3.11\n    command: gunicorn app:app -k uvicorn.workers.UvicornWorker --workers 3\n${extra}  db:\n    image: postgres:16   # the database\n    mem_limit: 1g\n`;
    const cpusOf = (text: string) => {
      const r = composeImport(text);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return r.plan.services.map((s) => [s.name, s.cpus ?? null]);
    };

    it('writes the cpu-over-limit fix back where the file keeps it (cpus:), comments and layout kept; it imports to the fixed plan', () => {
      const text = app('    mem_limit: 512m\n    cpus: 0.2   # small\n');
      const r = composeImport(text);
      if (!r.ok) throw new Error('import');
      const fix = evaluate(planOf(r.input)).findings.find((f) => f.id === 'cpu-over-limit');
      expect(fix?.fix.changes).toEqual([{ service: 'api', key: 'cpus', value: 0.5 }]);
      const fixed = applyChange(r.input, fix!.fix.changes[0]!);
      const e = composeEdit(text, planOf(fixed));
      if (!e.ok) throw new Error(JSON.stringify(e.issues));
      expect(e.text).toBe(text.replace('cpus: 0.2   # small', 'cpus: 0.5   # small'));
      expect(e.changes).toEqual(['services.api.cpus: 0.2 → 0.5']);
      expect(cpusOf(e.text)).toEqual([['api', 0.5], ['db', null]]);
    });

    it('keeps deploy.resources.limits.cpus a string as written, and both keys in step when the file has both', () => {
      const deploy = app('    deploy:\n      resources:\n        limits:\n          memory: 512M\n          cpus: "0.25"  # quarter\n');
      const e = edit(deploy, (p) => { svc(p, 'api').cpus = 1.5; });
      expect(e.text).toBe(deploy.replace('cpus: "0.25"', 'cpus: "1.5"'));
      expect(cpusOf(e.text)).toEqual([['api', 1.5], ['db', null]]);
      const both = app('    cpus: 0.5\n    deploy:\n      resources:\n        limits:\n          cpus: \'0.5\'\n');
      const e2 = edit(both, (p) => { svc(p, 'api').cpus = 2; });
      expect(e2.text).toBe(both.replace('cpus: 0.5', 'cpus: 2').replace("cpus: '0.5'", "cpus: '2'"));
      expect(cpusOf(e2.text)).toEqual([['api', 2], ['db', null]]);
    });

    it('adds the cap beside the service\'s memory limit when it had none: deploy with deploy, cpus: with mem_limit', () => {
      const deploy = app('    deploy:\n      resources:\n        limits:\n          memory: 512M\n');
      const e = edit(deploy, (p) => { svc(p, 'api').cpus = 1; });
      expect(e.text).toBe(deploy.replace('          memory: 512M\n', '          memory: 512M\n          cpus: "1"\n'));
      expect(cpusOf(e.text)).toEqual([['api', 1], ['db', null]]);
      const short = app('    mem_limit: 512m\n');
      const e2 = edit(short, (p) => { svc(p, 'api').cpus = 0.75; });
      expect(e2.text).toBe(short.replace('    mem_limit: 512m\n', '    mem_limit: 512m\n    cpus: 0.75\n'));
      expect(compareDocs(short, e2.text, [])).toEqual([]);
    });

    it('leaves a cap the plan dropped as it is, and says so; an unchanged cap is not touched', () => {
      const text = app('    cpus: 0.5\n');
      const e = edit(text, (p) => { delete svc(p, 'api').cpus; });
      expect(e.text).toBe(text);
      expect(e.notes.join()).toMatch(/api: the plan has no CPU cap where the compose file has one/);
      expect(edit(text, () => {}).text).toBe(text);
    });

    it('gives a service the plan adds its cap too', () => {
      const text = app('    mem_limit: 512m\n');
      const e = edit(text, (p) => { p.services.push({ name: 'cache', kind: 'redis', limit: '256MiB', cpus: 0.5 } as PlanInput['services'][number]); });
      expect(e.changes.some((c) => c.startsWith('services.cache: added'))).toBe(true);
      expect(e.text).toMatch(/\n {2}cache:\n( {4}.*\n)* {4}cpus: 0\.5\n/);
      expect(cpusOf(e.text)).toContainEqual(['cache', 0.5]);
    });
  });

  it('keeps comments, quotes, flow style and spacing around a changed value', () => {
    const text = '# top\nservices:\n  # the db\n  db:\n    image: "postgres:16"   # pinned\n    mem_limit: 512m    # was too small\n    ports: ["5432:5432"]\n';
    const e = edit(text, (p) => { svc(p, 'db').limit = '1GiB'; });
    expect(e.text).toBe(text.replace('512m', '1024m'));
  });

  it.each([
    ['512m', 768, '768m'], ['500M', 560, '560M'], ['1g', 2048, '2g'], ['1g', 1536, '1536m'], ['1.5gb', 2048, '2gb'], ['1GiB', 1536, '1536MiB'], [536870912, 768, 805306368], ['536870912', 768, '805306368'], ['65536k', 100, '102400k'], ['${X:-1g}', 768, '768m'],
  ] as const)('writes %j as %s MiB like %j', (raw, mib, out) => expect(sizeLike(raw, mib)).toBe(out));

  it('keeps a variable and its default form, and says when .env still wins', () => {
    const text = 'services:\n  a:\n    image: nginx\n    mem_limit: ${A_MEM:-256m}\n  b:\n    image: nginx\n    mem_limit: ${B_MEM}\n';
    const e = edit(text, (p) => { svc(p, 'a').limit = '300MiB'; svc(p, 'b').limit = '200MiB'; }, { envText: 'B_MEM=128m\n' });
    expect(e.text).toContain('mem_limit: ${A_MEM:-300m}');
    expect(e.text).toContain('mem_limit: ${B_MEM:-200m}');
    expect(e.notes.join('\n')).toMatch(/\$\{B_MEM\} is set \(128m\).*change it there to 200m/);
  });

  it('gives a service its own copy of a shared anchor, leaving the anchor and the others alone', () => {
    const text = 'x-limits: &limits\n  deploy:\n    resources:\n      limits: {memory: 256M}\nservices:\n  a:\n    image: nginx\n    <<: *limits\n  b:\n    image: nginx\n    <<: *limits\n';
    const e = edit(text, (p) => { svc(p, 'a').limit = '512MiB'; });
    const again = composeImport(e.text);
    expect(again.ok && again.input.services.map((s) => [s.name, s.limit])).toEqual([['a', '512MiB'], ['b', '256MiB']]);
    expect(e.text.startsWith('x-limits: &limits\n  deploy:\n    resources:\n      limits: {memory: 256M}\n')).toBe(true);
    expect(e.notes.join()).toMatch(/own copy/);
  });

  it('adds a limit inside the right service: after trailing comments, and beside a tagged merge key (test/corpus supabase, signoz)', () => {
    const text = 'x-common: &common\n  restart: always\nservices:\n  a:\n    image: nginx\n    environment:\n      A: 1\n      # B: 2\n\n  b:\n    !!merge <<: *common\n    image: nginx\n  c:\n    image: nginx\n';
    const e = edit(text, (p) => { svc(p, 'a').limit = '300MiB'; svc(p, 'b').limit = '200MiB'; });
    const again = composeImport(e.text);
    expect(again.ok && again.input.services.map((s) => [s.name, s.limit ?? null])).toEqual([['a', '300MiB'], ['b', '200MiB'], ['c', null]]);
    expect(e.text).toContain('      # B: 2\n    mem_limit: 300m\n\n  b:\n');
    expect(e.text).toContain('    image: nginx\n    mem_limit: 200m\n  c:\n');
  });

  it('rewrites a block-scalar command (`command: >`) as one line, keeping the next key (test/corpus/langfuse)', () => {
    const text = 'services:\n  cache:\n    image: redis:7\n    command: >\n      --requirepass x\n      --maxmemory-policy noeviction\n    ports:\n      - 6379:6379\n';
    const e = edit(text, (p) => { Object.assign(svc(p, 'cache').settings!, { maxmemory: '64MiB' }); });
    expect(e.text).toBe('services:\n  cache:\n    image: redis:7\n    command: --requirepass x --maxmemory-policy noeviction --maxmemory 64mb\n    ports:\n      - 6379:6379\n');
    expect(e.changes).toEqual(['services.cache.command: added --maxmemory 64mb after noeviction']);
  });

  it('edits command flags in a string and in a list, and appends missing ones', () => {
    const text = 'services:\n  db:\n    image: postgres:16\n    command: postgres -c shared_buffers=128MB -c "work_mem=4MB"\n  cache:\n    image: redis:7\n    command:\n      - redis-server\n      - --maxmemory\n      - 100mb\n';
    const e = edit(text, (p) => {
      Object.assign(svc(p, 'db').settings!, { sharedBuffers: '256MiB', maxConnections: 40 });
      Object.assign(svc(p, 'cache').settings!, { maxmemory: '64MiB', persistence: 'none' });
    });
    expect(e.text).toContain('command: postgres -c shared_buffers=256MB -c "work_mem=4MB" -c max_connections=40\n');
    expect(e.text).toContain('      - redis-server\n      - --maxmemory\n      - 64mb\n      - --save\n      - ""\n      - --appendonly\n      - no\n');
    // Both commands are in the change report, the list form too (it once said "0 changes").
    expect(e.changes).toEqual([
      'services.db.command: … -c shared_buffers=128MB -c work_mem=4MB → … -c shared_buffers=256MB -c work_mem=4MB -c max_connections=40',
      'services.cache.command: … --maxmemory 100mb → … --maxmemory 64mb --save "" --appendonly no',
    ]);
    const again = composeImport(e.text);
    expect(again.ok && again.input.services.map((s) => s.settings)).toEqual([
      { sharedBuffers: '256MiB', workMem: '4MiB', maxConnections: 40, user: 'postgres', database: 'postgres' },
      { maxmemory: '64MiB', persistence: 'none' },
    ]);
  });

  it('adds a command for an official image, and a note for an unknown one', () => {
    const text = 'services:\n  cache:\n    image: redis:7\n    mem_limit: 256m\n  other:\n    image: bitnami/redis\n    mem_limit: 256m\n';
    const e = edit(text, (p) => { Object.assign(svc(p, 'cache').settings!, { maxmemory: '104MiB' }); Object.assign(svc(p, 'other').settings!, { maxmemory: '104MiB' }); });
    expect(e.text).toContain('  cache:\n    image: redis:7\n    mem_limit: 256m\n    command: redis-server --maxmemory 104mb\n');
    expect(e.notes.join()).toMatch(/services\.other: set --maxmemory 104mb by hand/);
  });

  it('adds limits in the file\'s own style, into flow mappings too', () => {
    const deployStyle = 'services:\n  a:\n    image: x\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n  b: {image: y}\n';
    const e = edit(deployStyle, (p) => { svc(p, 'b').limit = '64MiB'; });
    expect(e.text).toContain('  b: {image: y, deploy: {resources: {limits: {memory: 64m}}}}\n');
    const v2 = 'version: "2.4"\nservices:\n  a:\n    image: x\n';
    expect(edit(v2, (p) => { svc(p, 'a').limit = '64MiB'; }).text).toBe('version: "2.4"\nservices:\n  a:\n    image: x\n    mem_limit: 64m\n');
  });

  it('keeps memswap_limit in step when it meant "no swap"', () => {
    const text = 'services:\n  a:\n    image: x\n    mem_limit: 256m\n    memswap_limit: 256m\n';
    expect(edit(text, (p) => { svc(p, 'a').limit = '512MiB'; }).text).toBe('services:\n  a:\n    image: x\n    mem_limit: 512m\n    memswap_limit: 512m\n');
  });

  it('adds the services the plan adds, with a comment, at the end of services', () => {
    const text = 'services:\n  db:\n    image: postgres:16\n    mem_limit: 1g\nvolumes:\n  data: {}\n';
    const e = edit(text, (p) => { p.features = { pgbouncer: true }; });
    const lines = e.text.split('\n');
    expect(lines.slice(0, 5)).toEqual(['services:', '  db:', '    image: postgres:16', '    mem_limit: 1g', '']);
    expect(lines[5]).toMatch(/^ {2}# Added by Headroom: pgbouncer \(pgbouncer\)/);
    expect(lines[6]).toMatch(/^ {2}# Set DB_USER/);
    expect(lines.slice(7, 12)).toEqual(['  pgbouncer:', expect.stringMatching(/^ {4}image: edoburu\/pgbouncer/), '    environment:', '      DB_HOST: db', '      POOL_MODE: transaction']);
    expect(e.text.endsWith('    mem_limit: 20m\nvolumes:\n  data: {}\n')).toBe(true);
    const again = composeImport(e.text);
    expect(again.ok && again.input.services.map((s) => [s.name, s.kind, s.settings])).toEqual([
      ['db', 'postgres', { user: 'postgres', database: 'postgres' }], ['pgbouncer', 'pgbouncer', { poolMode: 'transaction', maxClientConn: 100, defaultPoolSize: 20 }],
    ]);
  });

  it('refuses text it cannot import, with the importer\'s issues', () => {
    const r = composeEdit('services: [\n', planOf({ host: { ram: '1GiB' }, services: [] }));
    expect(r.ok).toBe(false);
  });
});
