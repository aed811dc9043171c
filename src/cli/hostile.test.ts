// Issue 17 through the CLI as shipped: each reproduction answered with exit 2, a bounded message,
// no stack trace, in bounded CPU time and memory; side files read only inside the project
// folder and never echoed; then a seeded fuzz over compose and plan inputs.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { cliHarness } from './testing.ts';
import { aliasBombCompose, bigListPlan, nestedBrackets, unclosedFile } from '../../test/hostile-inputs.ts';

const h = cliHarness('hostile');
beforeAll(() => h.build());

/** The child reports its own CPU time and peak RSS on exit (process.resourceUsage), on stderr's last line. */
const MEASURE = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\n@@usage '+((u.userCPUTime+u.systemCPUTime)/1000|0)+' '+(u.maxRSS>>10)+'\\n')})`;

type Run = { code: number | null; out: string; err: string; cpuMs: number; rssMiB: number };
function run(args: readonly string[], input?: string, cwd?: string): Run {
  const r = spawnSync('node', ['--import', MEASURE, h.bundle, ...args], { encoding: 'utf8', input, cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  const m = /\n@@usage (\d+) (\d+)\n$/.exec(r.stderr);
  return { code: r.status, out: r.stdout, err: m ? r.stderr.slice(0, m.index) : r.stderr, cpuMs: m ? Number(m[1]) : NaN, rssMiB: m ? Number(m[2]) : NaN };
}

/** What every answer to bad input must be: exit 2, a few lines naming the problem, cheap. */
function refusedCheaply(r: Run, message: RegExp) {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at |internal error/);
  expect(r.err.trim().split('\n').length).toBeLessThanOrEqual(22);
  // CPU time, not wall time: the machine is shared. Budgets: issue 17 (2 s, 300 MB a run).
  expect(r.cpuMs).toBeLessThan(4000);
  expect(r.rssMiB).toBeLessThan(300);
}

describe('issue 17 reproductions, through the CLI', () => {
  it('a 227 KB+ compose file with a 100,000-item anchor aliased 9,000 times', () => {
    refusedCheaply(run(['check', h.file('alias.yml', aliasBombCompose())]), /at most 200,000 YAML nodes/);
  });

  it('a 2 MB plan with a one-million-item list', () => {
    refusedCheaply(run(['plan', h.file('biglist.yml', bigListPlan())]), /at most 200,000 YAML nodes/);
  });

  it('plan /dev/zero stops reading at the cap', () => {
    refusedCheaply(run(['plan', '/dev/zero']), /expected at most 4 MiB of text/);
  });

  it('stdin past the cap stops there too', () => {
    refusedCheaply(run(['plan', '-'], 'x'.repeat(5 * 1024 * 1024)), /stdin: expected at most 4 MiB/);
  });

  it('100k nested [ and a 1 KB unclosed file', () => {
    refusedCheaply(run(['plan', h.file('nested.yml', nestedBrackets())]), /nested more than 64 levels/);
    const r = run(['plan', h.file('unclosed.yml', unclosedFile())]);
    refusedCheaply(r, /… and \d+ more problems/);
  });

  it('environment: [{toString: x}] is exit 2 with its path, not exit 70', () => {
    refusedCheaply(run(['plan', h.file('tostring.yml', 'services:\n  db:\n    image: postgres:16\n    environment: [{toString: x}]\n')]), /services\.db\.environment\[0\].*expected NAME=value/);
  });

  it('a compose service named __proto__ is refused with its path, not dropped (was: "1 services … PASS")', () => {
    refusedCheaply(run(['check', h.file('proto.yml', 'services:\n  __proto__:\n    image: postgres:16\n    mem_limit: 3g\n'), '--host', '1GiB']), /services\.__proto__/);
  });
});

describe('side files: only inside the compose project folder, never echoed', () => {
  const SECRET = 'SECRET_TOKEN_abc123';
  let project: string;
  let outside: string;
  beforeAll(() => {
    project = join(h.dir, 'project');
    outside = join(h.dir, 'elsewhere');
    mkdirSync(project, { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'redis.conf'), `maxmemory ${SECRET}\n`);
    writeFileSync(join(outside, 'app.env'), `${SECRET}\nGOOD=1\n`);
    writeFileSync(join(project, 'redis.conf'), `maxmemory ${SECRET}\n`);
    const compose = {
      services: {
        cache: { image: 'redis:7', command: ['redis-server', '/usr/local/etc/redis/redis.conf'], volumes: ['../elsewhere/redis.conf:/usr/local/etc/redis/redis.conf'], mem_limit: '256m', env_file: ['../elsewhere/app.env'] },
        inside: { image: 'redis:7', command: ['redis-server', '/usr/local/etc/redis/redis.conf'], volumes: ['./redis.conf:/usr/local/etc/redis/redis.conf'], mem_limit: '256m' },
      },
    };
    writeFileSync(join(project, 'compose.yml'), stringify(compose));
  });

  it('a path outside the folder is not read, and the note says how to allow it', () => {
    const r = run(['check', 'compose.yml', '--format', 'text'], undefined, project);
    expect([0, 1, 3]).toContain(r.code);
    expect(r.out + r.err).toMatch(/not read, outside the compose project's folder .*\.\.\/elsewhere\/redis\.conf.*--allow-outside PATH/s);
    expect(r.out + r.err).not.toContain(SECRET);
  });

  it('with --allow-outside the file is read, and its unreadable value is still not printed', () => {
    const r = run(['check', 'compose.yml', '--allow-outside', outside, '--format', 'text'], undefined, project);
    expect([0, 1, 3]).toContain(r.code);
    expect(r.out + r.err).not.toMatch(/not read, outside/);
    expect(r.out + r.err).toMatch(/maxmemory \(\/usr\/local\/etc\/redis\/redis\.conf\): expected a Redis size/);
    expect(r.out + r.err).not.toContain(SECRET);
  });
});

describe('fuzz: compose and plan inputs through the CLI (seeded, bounded)', () => {
  // A mix of shapes the importer and the schema meet: compose-like and plan-like documents with
  // arbitrary values where sizes, names, lists and maps go, as YAML or JSON text, sometimes cut.
  const key = fc.constantFrom('image', 'mem_limit', 'environment', 'deploy', 'command', 'profiles', 'scale', 'extends', 'x-headroom', 'volumes', 'ports', '__proto__', 'constructor', '<<', 'env_file', 'configs');
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small', maxDepth: 4 }, fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('512m', '0', '-1', '1e400', 'postgres:16', 'redis', '${X:?boom}', '64TiB', '__proto__'), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.oneof(key, fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 4 })),
  })).v;
  const composeDoc = fc.record({ services: fc.dictionary(fc.oneof(fc.constantFrom('db', 'app', '__proto__', 'constructor', 'a.b'), fc.string({ maxLength: 8 })), fc.dictionary(key, value, { maxKeys: 6 }), { maxKeys: 4 }) });
  const planDoc = fc.record({ host: fc.dictionary(fc.constantFrom('ram', 'reserve', 'swap', '__proto__'), value, { maxKeys: 3 }), services: fc.array(fc.dictionary(fc.constantFrom('name', 'kind', 'limit', 'settings', '__proto__'), value, { maxKeys: 4 }), { maxLength: 3 }) }, { requiredKeys: [] });
  const text = fc.tuple(fc.oneof(composeDoc, planDoc), fc.boolean(), fc.nat()).map(([doc, json, cut]) => {
    const t = json ? JSON.stringify(doc) : stringify(doc);
    return cut % 5 === 0 ? t.slice(0, cut % Math.max(1, t.length)) : t;
  });
  const command = fc.constantFrom(['plan', '-'], ['check', '-'], ['capacity', '-'], ['export', '-', '--out', join(h.dir, 'out')]);

  it('exits 0, 1, 2 or 3 only, with no stack trace, each run under 2 s of CPU and 300 MB', () => {
    const seed = Number(process.env.HEADROOM_FUZZ_SEED ?? 17017);
    const runs = Number(process.env.HEADROOM_FUZZ_RUNS ?? 24); // ~1 s a spawn here: well under a minute
    const result = fc.check(
      fc.property(text, command, (input, args) => {
        const r = run(args, input);
        const ok = [0, 1, 2, 3].includes(r.code ?? -1) && !/\n\s+at |internal error/.test(r.err) && r.cpuMs < 2000 && r.rssMiB < 300;
        if (!ok) console.error(`fuzz failure: exit ${r.code}, ${r.cpuMs} ms CPU, ${r.rssMiB} MiB\n${r.err.slice(0, 500)}`);
        return ok;
      }),
      { seed, numRuns: runs, endOnFailure: true },
    );
    if (result.failed) console.error(`fuzz failed with seed ${seed} (rerun: HEADROOM_FUZZ_SEED=${seed}); counterexample: ${JSON.stringify(result.counterexample)}`);
    expect(result.failed, `fuzz seed ${seed}`).toBe(false);
  }, 120_000);
});
