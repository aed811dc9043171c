// The input policy against issue 17's reproductions: each answered fast, small, with a message.
import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS, inputParse, issuesBounded, ownSet, sideFileData } from './input-policy.ts';
import { composeImport } from './compose-import/index.ts';
import { planTextParse } from './plan-file.ts';
import { planParse } from '../engine/schema.ts';
import { dataBoundsIssue } from './data-bounds.ts';
import { aliasBombCompose, bigListPlan, nestedBrackets, unclosedFile } from '../../test/hostile-inputs.ts';

const refused = (text: string) => {
  const t0 = performance.now();
  const r = inputParse(text);
  const ms = performance.now() - t0;
  expect(r.ok).toBe(false);
  return { issues: r.ok ? [] : r.issues, ms };
};

describe('input policy: issue 17 reproductions', () => {
  it('a 100,000-item anchor aliased 9,000 times is refused before anything copies it', () => {
    const { issues } = refused(aliasBombCompose());
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/at most 200,000 YAML nodes/);
  });

  it('a small anchor aliased past the expansion budget is refused by the alias count, not the size', () => {
    // 2,000 items × 200 aliases: 4,300 tokens of text, 400,000 nodes expanded.
    const { issues } = refused(aliasBombCompose(2000, 200));
    expect(issues[0]!.message).toMatch(/aliases \(\*name\) expand to more than 200,000 nodes/);
  });

  it('billion laughs: nested anchors are counted with their expansion', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const { issues } = refused(lines.join('\n'));
    expect(issues[0]!.message).toMatch(/expand to more than/);
  });

  it('anchors reused a few times still parse, as the same objects (no copies)', () => {
    const r = inputParse('x-common: &c {image: postgres:16, mem_limit: 512m}\nservices:\n  a: *c\n  b: *c\n  c: {<<: *c, mem_limit: 1g}\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.parsed.data as { services: Record<string, { mem_limit: string }> };
    expect(d.services.a).toBe(d.services.b);
    expect(d.services.c!.mem_limit).toBe('1g');
  });

  it('a one-million-item list (2 MB) is refused by the token count, quickly', () => {
    const { issues, ms } = refused(bigListPlan());
    expect(issues[0]!.message).toMatch(/at most 200,000 YAML nodes/);
    expect(ms).toBeLessThan(10_000); // measured ~0.6 s here; before: 18.7 s and 1.5 GB
  });

  it('100k nested [ and 30k compact "- - -" are refused as too deep, with no stack overflow', () => {
    expect(refused(nestedBrackets()).issues[0]!.message).toMatch(/nested more than 64 levels/);
    expect(refused(`${'['.repeat(50_000)}${']'.repeat(50_000)}`).issues[0]!.message).toMatch(/nested more than 64/);
    expect(refused(`${'- '.repeat(30_000)}x`).issues[0]!.message).toMatch(/nested more than 64/);
    // Block nesting by indentation, under the lexer's radar: caught by the depth walk.
    const deep = Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x';
    expect(refused(deep).issues[0]!.message).toMatch(/nested more than 64/);
  });

  it('a 1 KB unclosed file gives a bounded error list, not 784 lines', () => {
    const { issues } = refused(unclosedFile());
    expect(issues.length).toBeLessThanOrEqual(INPUT_LIMITS.maxIssues + 1);
    expect(issues.at(-1)!.message).toMatch(/^… and \d+ more problems/);
  });

  it('an alias inside its own anchor is refused, not looped on', () => {
    expect(refused('a: &a [1, *a]').issues[0]!.message).toMatch(/alias|Unresolved|anchor/i);
  });

  it('an unresolved alias is refused with its line and column, not thrown (the page showed no notice)', () => {
    expect(refused('host: {ram: 4GiB}\nservices:\n  - {name: db, kind: postgres, limit: *nope}\n').issues).toEqual([
      { path: 'line 3, column 39', line: 3, column: 39, message: 'the alias *nope names no anchor set before it; expected &nope earlier in the file' },
    ]);
  });

  it('more than the byte cap is refused without parsing', () => {
    expect(refused('#'.repeat(INPUT_LIMITS.maxBytes + 1)).issues[0]!.message).toMatch(/at most 4 MiB/);
  });
});

describe('issuesBounded', () => {
  it('keeps distinct problems, counts the rest', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ path: `line ${i}, column 1`, message: 'same' }));
    expect(issuesBounded(many)).toEqual([many[0], { path: '(file)', message: '… and 49 more problems (repeats of the above and others)' }]);
    const distinct = Array.from({ length: 25 }, (_, i) => ({ path: `p${i}`, message: `m${i}` }));
    const b = issuesBounded(distinct);
    expect(b).toHaveLength(21);
    expect(b[20]!.message).toBe('… and 5 more problems (not shown)');
    expect(issuesBounded(distinct.slice(0, 3))).toEqual(distinct.slice(0, 3));
  });
});

describe('__proto__ and constructor are ordinary names, or refused with their path', () => {
  it('ownSet never sets a prototype', () => {
    const o: Record<string, unknown> = {};
    ownSet(o, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });

  it('a compose service named __proto__ does not vanish: refused with its path', () => {
    const r = composeImport('services:\n  __proto__:\n    image: postgres:16\n    mem_limit: 3g\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]!.path).toMatch(/^services\.__proto__/);
  });

  it('a service named constructor is an ordinary service', () => {
    const r = composeImport('services:\n  constructor:\n    image: postgres:16\n    mem_limit: 3g\n');
    expect(r.ok && r.plan.services.map((s) => [s.name, s.kind, s.limit])).toEqual([['constructor', 'postgres', 3072]]);
  });

  it('__proto__ keys inside a service, its deploy.resources or a << merge supply nothing', () => {
    const r = composeImport(
      [
        'services:',
        '  db:',
        '    image: postgres:16',
        '    __proto__: {image: redis, mem_limit: 64m}',
        '  app:',
        '    image: nginx',
        '    deploy: {resources: {__proto__: {limits: {memory: 64m}}}}',
        '  w:',
        '    image: nginx',
        '    <<: {__proto__: {mem_limit: 64m}}',
        '    environment: {__proto__: x, constructor: y}',
        '    x-headroom: {settings: {__proto__: {workers: 9}}}',
      ].join('\n'),
    );
    expect(r.ok).toBe(false); // x-headroom's __proto__ setting is an unknown setting, with its path
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual([expect.stringMatching(/^services\.w/)]);
    const ok = composeImport('services:\n  db:\n    image: postgres:16\n    __proto__: {image: redis, mem_limit: 64m}\n  app:\n    image: nginx\n    deploy: {resources: {__proto__: {limits: {memory: 64m}}}}\n  w:\n    image: nginx\n    <<: {__proto__: {mem_limit: 64m}}\n');
    expect(ok.ok && ok.plan.services.map((s) => [s.name, s.kind, s.limit])).toEqual([
      ['db', 'postgres', null],
      ['app', 'proxy', null],
      ['w', 'proxy', null],
    ]);
  });

  it('the plan schema refuses __proto__ anywhere with its path (settings, a service\'s settings, JSON too)', () => {
    const yaml = planTextParse('host: {ram: 4GiB}\nsettings: {__proto__: {x: 1}}\nservices:\n  - name: db\n    kind: postgres\n    settings: {__proto__: {sharedBuffers: 1MiB}}\n');
    expect(yaml.ok).toBe(false);
    if (!yaml.ok) expect(yaml.issues.map((i) => i.path).sort()).toEqual(['services[0].settings.__proto__', 'settings.__proto__']);
    const json = planParse(JSON.parse('{"host": {"ram": "4GiB"}, "services": [{"name": "db", "kind": "postgres", "settings": {"__proto__": {"sharedBuffers": "1MiB"}}}]}'));
    expect(json.ok).toBe(false);
    if (!json.ok) expect(json.issues[0]!.path).toBe('services[0].settings.__proto__');
    // constructor is an unknown key like any other.
    const c = planParse({ host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', settings: { constructor: 1 } }] });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.issues[0]!.path).toBe('services[0].settings.constructor');
  });

  it('environment: [{toString: x}], scale: {toString: 1}, profiles: [{toString: x}] are bad input with a path, not a crash', () => {
    for (const line of ['environment: [{toString: x}]', 'scale: {toString: 1}', 'profiles: [{toString: x}]', 'ports: [{target: {toString: 1}}]', 'extends: {service: x, file: {toString: 1}}']) {
      const r = composeImport(`services:\n  db:\n    image: postgres:16\n    ${line}\n`);
      if (!r.ok) expect(r.issues[0]!.path).toMatch(/^services\.db/);
    }
  });
});

describe('dataBoundsIssue: the same bounds for data JSON.parse built (share links, storage)', () => {
  it('passes a plan, refuses 65 levels and 200,001 values, iteratively', () => {
    expect(dataBoundsIssue({ host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: '1GiB' }] })).toBeNull();
    let deep: unknown = 1;
    for (let i = 0; i < 64; i++) deep = [deep];
    expect(dataBoundsIssue(deep)).toBeNull();
    expect(dataBoundsIssue([deep])!.message).toMatch(/^nested more than 64 levels deep/);
    expect(dataBoundsIssue(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))!.message).toMatch(/^nested more than 64/);
    expect(dataBoundsIssue(new Array(199_999).fill(0))).toBeNull();
    expect(dataBoundsIssue(new Array(200_000).fill(0))!.message).toBe('expected at most 200,000 values, got more; is this the right file?');
  });
});

describe('files an input names (mounted configs) are parsed under the same policy', () => {
  it('sideFileData: the data, or the policy\'s first problem as an Error for the reader\'s warning', () => {
    expect(sideFileData('global: {scrape_interval: 30s}\n')).toEqual({ global: { scrape_interval: '30s' } });
    expect(() => sideFileData(`a: ${'['.repeat(100)}${']'.repeat(100)}\n`)).toThrow(/nested more than 64 levels deep/);
    expect(() => sideFileData('a: 1\na: 2\n')).toThrow(/^Map keys must be unique \("a" appears twice\) \(line 2, column 1\)$/);
  });

  it('a mounted prometheus.yml whose aliases expand past the bound is not imported, with a warning, and the service still is', () => {
    const bomb = `x-a: &a [${Array(1000).fill('1').join(', ')}]\nx-b: [${Array(300).fill('*a').join(', ')}]\nglobal: {scrape_interval: 5s}\n`;
    const compose = 'services:\n  prometheus:\n    image: prom/prometheus:v2.53.0\n    volumes: ["./prometheus.yml:/etc/prometheus/prometheus.yml"]\n';
    const r = composeImport(compose, { readFile: (p) => (p.endsWith('prometheus.yml') ? bomb : undefined) });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const prom = r.plan.services.find((s) => s.name === 'prometheus')!;
    expect(prom.kind).toBe('prometheus');
    expect(JSON.stringify(prom.settings)).not.toMatch(/"5s"/);
    expect(r.services.find((s) => s.service === 'prometheus')!.warnings.join('\n')).toMatch(/prometheus\.yml is not valid YAML: its scrape interval and jobs are not imported/);
  });
});
