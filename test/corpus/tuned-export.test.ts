/**
 * Issue 11, "never break what it cannot see": `export --tuned` over every corpus compose file
 * (test/corpus/manifest.json) and over generated plans (fast-check, fixed seed).
 *
 * - It never lowers a connection or memory setting below the user's own value (a value other
 *   than the server's default), nor below the server's default while the stack has clients
 *   Headroom cannot count; a choice (pool_mode, maxmemory-policy) changes only under the same
 *   condition. Checked on the tuned plan AND on the compose file written (imported again).
 * - Its change report lists every edit: the written compose file and the input are parsed with
 *   the yaml library and compared key by key per service; every differing key has its line.
 * - Its settings start the real servers: a bounded sample (SAMPLE below) of the corpus's tuned
 *   postgresql.conf files read by PostgreSQL 15 in single-user mode (the server parses them and
 *   allocates its shared memory), and of its redis.conf files started by redis-server, each
 *   both as exported and as the edited compose file runs it.
 *
 * This file computes the rule's check on its own (not with tune.ts's keptAgainst), so that a
 * wrong rule there fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import { composeEdit, composeImport, type ComposeEditOptions } from '../../src/formats/compose-import/index.ts';
import { exportFiles, exportOf, type Exported } from '../../src/formats/export/index.ts';
import { ExportError } from '../../src/formats/export/common.ts';
import { TuneError } from '../../src/engine/tune.ts';
import { clientsOf } from '../../src/engine/clients.ts';
import { arbitraryPlan } from '../../src/engine/arbitrary.ts';
import { planParse, type Plan, type PlanInput, type Service, type ServiceKind } from '../../src/engine/schema.ts';
import { manifestSchema, type CorpusEntry } from './manifest.ts';
import { background, PgCluster, requireTool, run, runOk, stopAll, tempDir, waitFor } from '../real-tools.ts';

const DIR = dirname(fileURLToPath(import.meta.url));
const ENTRIES = manifestSchema.parse(JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'))).entries.filter((e) => e.expect === 'imports');

/** Real server starts: at most this many of each, spread over the corpus (CI time: each PostgreSQL single-user read takes about a second here). */
const SAMPLE = { postgres: 10, redis: 8 } as const;

const TUNED_KINDS = new Set<ServiceKind>(['postgres', 'redis', 'pgbouncer']);
/** Settings whose 0 means "no bound" (Redis docs: maxmemory 0 = no limit): 0 is the highest. */
const UNBOUNDED_ZERO = new Set(['redis.maxmemory']);

function planOf(input: PlanInput): Plan {
  const r = planParse(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.plan;
}

/** The server's defaults: each kind's settings as the plan schema fills them for a bare service. */
const defaultsOf = (kind: ServiceKind) => planOf({ host: { ram: '1GiB' }, services: [{ name: 'x', kind }] }).services[0]!.settings as Record<string, unknown>;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

type Lowered = { service: string; key: string; was: unknown; now: unknown; own: boolean };

/** Every setting of a tuned kind that `after` has lower than `before` (or, for a choice, other), with whether it was the user's own. */
function loweredIn(before: Plan, after: Plan): Lowered[] {
  const out: Lowered[] = [];
  for (const s of before.services) {
    if (!TUNED_KINDS.has(s.kind)) continue;
    const t = after.services.find((x) => x.name === s.name);
    if (!t || t.kind !== s.kind) continue;
    const defaults = defaultsOf(s.kind);
    for (const [key, was] of Object.entries(s.settings as Record<string, unknown>)) {
      const now = (t.settings as Record<string, unknown>)[key];
      if (now === undefined || same(now, was)) continue;
      const rank = (v: number) => (UNBOUNDED_ZERO.has(`${s.kind}.${key}`) && v === 0 ? Infinity : v);
      const lower = typeof was === 'number' && typeof now === 'number' ? rank(now) < rank(was) : true;
      if (lower) out.push({ service: s.name, key, was, now, own: !same(was, defaults[key]) });
    }
  }
  return out;
}

/** The lowerings the rule forbids: a user's own value, or any value while clients are not all known. */
function forbidden(before: Plan, after: Plan): Lowered[] {
  const known = clientsOf(before).known;
  return loweredIn(before, after).filter((l) => l.own || !known);
}

type Services = Record<string, Record<string, unknown> | null>;

/** The keys of the written compose file that differ from the input's and have no line in the change report. */
function unreported(input: string, output: string, changes: string[]): string[] {
  const a = parse(input, { merge: true, maxAliasCount: -1 }) as Record<string, unknown>;
  const b = parse(output, { merge: true, maxAliasCount: -1 }) as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key !== 'services' && !same(a[key], b[key])) out.push(key);
  }
  const sa = (a.services ?? {}) as Services;
  const sb = (b.services ?? {}) as Services;
  const reported = (prefix: string) => changes.some((c) => c.startsWith(prefix));
  for (const name of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
    if (!(name in sa)) {
      if (!reported(`services.${name}: added`)) out.push(`services.${name} (added)`);
      continue;
    }
    const x = sa[name] ?? {};
    const y = sb[name] ?? {};
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!same(x[key], y[key]) && !reported(`services.${name}.${key}`)) out.push(`services.${name}.${key}`);
    }
  }
  return out;
}

/** The entry's compose file read as the CLI reads it: `.env` beside it, files relative to it, the copies its docs make (`as`). */
function entryInput(entry: CorpusEntry): { text: string; options: ComposeEditOptions; host: string } {
  const root = join(DIR, entry.id);
  const file = join(root, entry.compose);
  const dir = dirname(file);
  const as = new Map(Object.entries(entry.as ?? {}).map(([to, from]) => [resolve(root, to), resolve(root, from)]));
  const side = (p: string) => {
    const q = as.get(p) ?? p;
    return existsSync(q) && statSync(q).isFile() ? readFileSync(q, 'utf8') : undefined;
  };
  return {
    text: readFileSync(file, 'utf8'),
    options: { envText: side(join(dir, '.env')), environment: { PWD: dir, ...(entry.environment ?? {}) }, readFile: (p) => side(resolve(dir, p)) },
    host: entry.host,
  };
}

type CorpusRun = {
  id: string;
  before: Plan;
  exported: Exported | null;
  refused: string | null;
  edit: { text: string; changes: string[] } | null;
  /** The written compose file imported again: the settings it runs the servers with. */
  written: Plan | null;
  /** An edit that changes every server's settings and every limit (raisedPlan): the change report's coverage on real files, whatever the tuning kept. */
  raised: { text: string; changes: string[]; notes: string[]; plan: Plan; again: Plan | string };
};

/** `plan` with every limit set or raised and every tuned server's settings raised: an edit that touches each service's limit and command. */
function raisedPlan(plan: Plan): Plan {
  return {
    ...plan,
    services: plan.services.map((s): Service => {
      const limit = (s.limit ?? 256) + 64;
      if (s.kind === 'postgres') return { ...s, limit, settings: { ...s.settings, maxConnections: s.settings.maxConnections + 10, sharedBuffers: s.settings.sharedBuffers * 2 } };
      if (s.kind === 'redis') return { ...s, limit, settings: { ...s.settings, maxmemory: s.settings.maxmemory === 0 ? 128 : s.settings.maxmemory * 2 } };
      if (s.kind === 'pgbouncer') return { ...s, limit, settings: { ...s.settings, maxClientConn: s.settings.maxClientConn + 10 } };
      return { ...s, limit } as Service;
    }),
  };
}

const runs: CorpusRun[] = [];

beforeAll(() => {
  for (const entry of ENTRIES) {
    const { text, options, host } = entryInput(entry);
    const r = composeImport(text, { ...options, host });
    if (!r.ok) throw new Error(`${entry.id}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    let exported: Exported | null = null;
    let refused: string | null = null;
    try {
      exported = exportOf(r.plan, { tuned: true });
    } catch (e) {
      if (!(e instanceof ExportError) && !(e instanceof TuneError)) throw e;
      refused = e.message;
    }
    let edit: CorpusRun['edit'] = null;
    let written: Plan | null = null;
    if (exported) {
      const e = composeEdit(text, exported.plan, options);
      if (!e.ok) throw new Error(`${entry.id}: edit: ${JSON.stringify(e.issues)}`);
      edit = { text: e.text, changes: e.changes };
      const again = composeImport(e.text, { ...options, host });
      if (!again.ok) throw new Error(`${entry.id}: the written compose file does not import: ${JSON.stringify(again.issues)}`);
      written = again.plan;
    }
    const target = raisedPlan(r.plan);
    const raised = composeEdit(text, target, options);
    if (!raised.ok) throw new Error(`${entry.id}: edit: ${JSON.stringify(raised.issues)}`);
    const again = composeImport(raised.text, { ...options, host });
    const reread = again.ok ? again.plan : again.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    runs.push({ id: entry.id, before: r.plan, exported, refused, edit, written, raised: { text: raised.text, changes: raised.changes, notes: raised.notes, plan: target, again: reread } });
  }
});

describe('export --tuned over the corpus', () => {
  it('never lowers a user\'s own setting, nor a default while clients are not all known: in the tuned plan and in the written compose file', () => {
    const bad: string[] = [];
    let tunedServers = 0;
    let kept = 0;
    for (const r of runs) {
      if (!r.exported) continue;
      tunedServers += r.before.services.filter((s) => TUNED_KINDS.has(s.kind)).length;
      kept += r.exported.notes.filter((n) => / kept at /.test(n)).length;
      for (const l of forbidden(r.before, r.exported.plan)) bad.push(`${r.id}: plan ${l.service}.${l.key} ${JSON.stringify(l.was)} → ${JSON.stringify(l.now)}`);
      for (const l of forbidden(r.before, r.written!)) bad.push(`${r.id}: written ${l.service}.${l.key} ${JSON.stringify(l.was)} → ${JSON.stringify(l.now)}`);
    }
    console.log(`corpus: ${runs.length} stacks, ${runs.filter((r) => r.exported).length} tuned (${runs.filter((r) => r.refused).length} refused), ${tunedServers} tuned servers, ${kept} settings kept, ${bad.length} forbidden lowerings`);
    expect(bad).toEqual([]);
    // The corpus exercises the rule: settings are kept, and the stacks' apps are mostly not counted.
    expect(kept).toBeGreaterThan(10);
    expect(runs.filter((r) => !clientsOf(r.before).known).length).toBeGreaterThan(runs.length / 2);
  });

  it('keeps test/corpus/plane\'s own max_connections=1000', () => {
    const plane = runs.find((r) => r.id === 'plane')!;
    const pg = (p: Plan) => p.services.find((s) => s.kind === 'postgres') as Extract<Service, { kind: 'postgres' }>;
    expect(pg(plane.before).settings.maxConnections).toBe(1000);
    expect(pg(plane.exported!.plan).settings.maxConnections).toBe(1000);
    expect(pg(plane.written!).settings.maxConnections).toBe(1000);
  });

  it('lists every edit of the compose file in its change report (list-form and string-form commands too)', () => {
    const bad: string[] = [];
    let changed = 0;
    let tunedChanged = 0;
    for (const r of runs) {
      const input = readFileSync(join(DIR, r.id, ENTRIES.find((e) => e.id === r.id)!.compose), 'utf8');
      // The tuned export's own edit (few: the rule keeps most values), and an edit of every limit and server setting.
      for (const [what, e] of [['tuned', r.edit], ['raised', r.raised]] as const) {
        if (!e) continue;
        if (what === 'tuned' && e.changes.length) tunedChanged++;
        if (what === 'raised' && e.changes.length) changed++;
        let missing: string[];
        try {
          missing = unreported(input, e.text, e.changes);
        } catch (x) {
          missing = [`the written file does not parse: ${(x as Error).message.split('\n')[0]}`];
        }
        for (const k of missing) bad.push(`${r.id} (${what}): ${k}`);
      }
    }
    // The raised edit is a compose file that imports to the limits it was given (each written into its own service).
    for (const r of runs) {
      if (typeof r.raised.again === 'string') {
        bad.push(`${r.id} (raised): the written file does not import: ${r.raised.again}`);
        continue;
      }
      const overridden = r.raised.notes.filter((n) => /still wins|by hand|left as it is|only its limit/.test(n)).join('\n');
      for (const s of r.raised.again.services) {
        const want = r.raised.plan.services.find((x) => x.name === s.name);
        if (want && s.limit !== want.limit && !overridden.includes(s.name)) bad.push(`${r.id} (raised): ${s.name} limit ${s.limit} MiB, planned ${want.limit} MiB`);
      }
    }
    console.log(`change reports: ${tunedChanged} tuned exports edit their compose file; ${changed} of ${runs.length} raised edits, every key reported`);
    expect(bad).toEqual([]);
    expect(changed).toBeGreaterThan(runs.length / 2);
    // The three whose list-form command edits were once reported as "0 changes".
    for (const id of ['sentry', 'supabase', 'appwrite']) {
      const r = runs.find((x) => x.id === id)!;
      expect(r.raised.changes.some((c) => /\.command: /.test(c)), `${id}: ${r.raised.changes.join('; ')}`).toBe(true);
    }
  });
});

describe('export --tuned over generated plans (fast-check, seeded)', () => {
  it('never lowers what the rule keeps, writes the tuned plan\'s values into its files, and reports every compose edit', () => {
    let lowered = 0;
    let forbade = 0;
    let edits = 0;
    fc.assert(
      fc.property(arbitraryPlan(), (input) => {
        const plan = planOf(input);
        let exported: Exported;
        try {
          exported = exportOf(plan, { tuned: true });
        } catch (e) {
          if (e instanceof ExportError || e instanceof TuneError) return;
          throw e;
        }
        lowered += loweredIn(plan, exported.plan).length;
        const f = forbidden(plan, exported.plan);
        forbade += f.length;
        expect(f).toEqual([]);
        // The written configs hold the tuned plan's values.
        const files = new Map(exported.files.map((x) => [x.path, x.content]));
        for (const s of exported.plan.services) {
          if (s.kind === 'postgres' && plan.services.some((x) => x.name === s.name)) {
            const conf = [...files].find(([p, c]) => /^postgresql.*\.conf$/.test(p) && c.includes(`"${s.name}"`))?.[1];
            expect(conf, s.name).toMatch(new RegExp(`^max_connections = ${s.settings.maxConnections}$`, 'm'));
          }
          if (s.kind === 'redis') {
            const conf = [...files].find(([p, c]) => /^redis.*\.conf$/.test(p) && c.includes(`"${s.name}"`))?.[1];
            expect(conf, s.name).toMatch(new RegExp(`^maxmemory ${Math.round(s.settings.maxmemory * 1048576)}$`, 'm'));
          }
        }
        // The plan's own compose file (the untuned export), imported and edited with the tuned plan.
        const compose = exportFiles(plan).find((x) => /compose.*\.ya?ml$/.test(x.path))!.content;
        const base = composeImport(compose, { host: `${plan.host.ram}MiB` });
        if (!base.ok) throw new Error(JSON.stringify(base.issues));
        const e = composeEdit(compose, exported.plan);
        if (!e.ok) throw new Error(JSON.stringify(e.issues));
        edits += e.changes.length;
        expect(unreported(compose, e.text, e.changes)).toEqual([]);
      }),
      { seed: 20261202, numRuns: 60 },
    );
    expect(forbade).toBe(0);
    expect(lowered).toBeGreaterThan(0); // defaults are still tuned down where every client is known
    expect(edits).toBeGreaterThan(20);
  });
});

/** `count` items of `items`, spread evenly. */
const spread = <T,>(items: T[], count: number): T[] => (items.length <= count ? items : Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!));

describe('the real servers accept the tuned settings (a bounded sample of the corpus)', () => {
  let dir: { path: string; remove: () => void };
  let pg: PgCluster;
  beforeAll(async () => {
    requireTool('redis-server');
    requireTool('redis-cli');
    dir = tempDir('tuned-export', true);
    pg = new PgCluster(dir.path);
    await pg.init();
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    dir?.remove();
  });

  /** The configs to start: each sampled service's tuned file, and the file for the settings its edited compose runs it with. */
  const configs = (kind: 'postgres' | 'redis') => {
    const re = kind === 'postgres' ? /^postgresql.*\.conf$/ : /^redis.*\.conf$/;
    const items = runs.flatMap((r) => (r.exported ? r.exported.files.filter((f) => re.test(f.path)).map((f) => ({ id: r.id, f, run: r })) : []));
    return spread(items, SAMPLE[kind]).flatMap(({ id, f, run: r }) => {
      const name = /for the service "([^"]+)"/.exec(f.content)?.[1];
      const written = exportFiles(r.written!).find((x) => x.path === f.path && x.content.includes(`"${name}"`));
      return [{ id: `${id} tuned ${f.path}`, content: f.content }, ...(written ? [{ id: `${id} as written ${f.path}`, content: written.content }] : [])];
    });
  };

  it(`PostgreSQL 15 reads each sampled tuned postgresql.conf (at most ${SAMPLE.postgres} services, each as exported and as its edited compose runs it)`, async () => {
    const items = configs('postgres');
    expect(items.length).toBeGreaterThan(4);
    for (const [i, c] of items.entries()) {
      const file = join(dir.path, `pg-${i}.conf`);
      writeFileSync(file, c.content, { mode: 0o644 });
      const got = await pg.settings(file, ['max_connections', 'shared_buffers', 'work_mem']).catch((e: Error) => {
        throw new Error(`${c.id}: ${e.message}`);
      });
      expect(got.get('max_connections')!.setting, c.id).toBe(/^max_connections = (\d+)$/m.exec(c.content)![1]);
    }
    console.log(`PostgreSQL single-user reads: ${items.length}`);
  }, 300_000);

  it(`redis-server starts with each sampled tuned redis.conf (at most ${SAMPLE.redis} services, each as exported and as its edited compose runs it)`, async () => {
    const items = configs('redis');
    expect(items.length).toBeGreaterThan(4);
    for (const [i, c] of items.entries()) {
      const file = join(dir.path, `redis-${i}.conf`);
      const sock = join(dir.path, `redis-${i}.sock`);
      writeFileSync(file, c.content, { mode: 0o644 });
      const server = background('redis-server', [file, '--port', '0', '--unixsocket', sock, '--dir', dir.path, '--daemonize', 'no', '--logfile', '']);
      try {
        await waitFor(`${c.id}: redis-server start`, async () => (await run('redis-cli', ['-s', sock, 'PING'])).stdout.trim() === 'PONG', 10_000, server);
        const max = (await runOk('redis-cli', ['-s', sock, 'CONFIG', 'GET', 'maxmemory'])).stdout.split('\n')[1];
        expect(max, c.id).toBe(/^maxmemory (\d+)$/m.exec(c.content)![1]);
        await run('redis-cli', ['-s', sock, 'SHUTDOWN', 'NOSAVE']);
      } finally {
        await server.stop();
      }
    }
    console.log(`redis-server starts: ${items.length}`);
  }, 300_000);
});
