/**
 * `--format text|json|markdown|sarif|junit` for `check` and `plan`, through the bundled CLI. SARIF
 * is checked by the SARIF Multitool's `validate`, JUnit read back by junit2json, and both carry
 * a hostile file name intact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parse as junitParse, type TestSuites } from 'junit2json';
import { cliHarness, type CliOptions } from './testing.ts';
import { planToText } from '../formats/plan-file.ts';
import { presetGet } from '../engine/presets.ts';
import { sarifValidate } from '../../test/ci-validators.ts';
import { HEADROOM_VERSION } from './version.ts';

const h = cliHarness('formats');
const cli = (args: string[], opts: CliOptions = {}) => h.run(args, { cwd: h.dir, env: {}, ...opts });
const SEED = 'seed.yml';
const FITS = stringify({
  services: {
    api: { image: 'acme/api:1', command: 'uvicorn app:app --workers 2', mem_limit: '512m' },
    db: { image: 'postgres:16', command: 'postgres -c shared_buffers=256MB -c max_connections=60 -c max_parallel_workers_per_gather=0', mem_limit: '1600m' },
    cache: { image: 'redis:7', command: 'redis-server --maxmemory 96mb --maxmemory-policy allkeys-lru --save ""', mem_limit: '256m' },
  },
});
/** A file name with every character XML, Markdown, shells and URIs care about, and one XML 1.0 cannot carry. */
const HOSTILE = `we"ird <&> ]]> 'x' | *_[a](b) \${X} \u0001 ü.yml`;

type Sarif = { runs: Array<{ tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } }; artifacts?: Array<{ location: { uri: string; uriBaseId?: string } }>; results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: Array<{ physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } }; logicalLocations: Array<{ name: string }> }> }>; invocations: Array<{ exitCode: number }> }> };

beforeAll(() => {
  h.build();
  copyFileSync('src/formats/compose-import/corpus/02-seed-4gb.yml', join(h.dir, SEED));
  h.file('fits.yml', FITS);
  h.file('plan.yaml', planToText(presetGet('4gb')));
  h.file('plan.json', JSON.stringify({ host: { ram: '4GiB' }, services: [{ name: 'cache', kind: 'redis', limit: '300MiB', settings: { maxmemory: '256MiB' } }] }, null, 2));
  writeFileSync(join(h.dir, HOSTILE), FITS.replace('api:', 'api_1.x:'));
});

describe('--format: the option', () => {
  it.each([['check', SEED], ['plan', SEED]])('%s: text is the default and --json is --format json', (command, file) => {
    expect(cli([command, file, '--format', 'text']).out).toBe(cli([command, file]).out);
    const json = cli([command, file, '--format', 'json']);
    expect(json.out).toBe(cli([command, file, '--json']).out);
    expect(JSON.parse(json.out).host.ramMiB).toBe(4096);
  });

  it.each([
    [['check', SEED, '--format', 'xml'], /--format: unknown format "xml" \(expected one of text, json, markdown, sarif, junit\)/],
    [['plan', '--format', 'yaml'], /--format: unknown format "yaml"/],
    [['check', SEED, '--json', '--format', 'sarif'], /--json is --format json; it cannot be given with --format sarif/],
    [['check', SEED, '--format'], /--format/],
  ])('exits 2 on %j, without a stack trace', (args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
  });

  // One test per format (three CLI runs each), so that each has the test timeout to itself: the
  // fifteen runs in one test took 81 s on the 2-core machine under load (CI, 2026-12-02).
  it.each(['text', 'json', 'markdown', 'sarif', 'junit'])('--format %s keeps check\'s exit code: 1 for the seed, 0 for a stack that fits', (format) => {
    expect(cli(['check', SEED, '--format', format]).code, format).toBe(1);
    expect(cli(['check', 'fits.yml', '--format', format]).code, format).toBe(0);
    expect(cli(['plan', SEED, '--format', format]).code, format).toBe(0);
  });
});

describe('--format sarif', () => {
  const sarif = (args: string[], input?: string): Sarif => JSON.parse(cli(args, input === undefined ? {} : { input }).out) as Sarif;

  it('passes the SARIF Multitool\'s validate: compose, plan (YAML and JSON), preset, stdin and a hostile file name', () => {
    const cases: Array<[string, string[], string?]> = [
      ['seed.sarif', ['check', SEED]],
      ['fits.sarif', ['check', 'fits.yml']],
      ['plan-yaml.sarif', ['plan', 'plan.yaml']],
      ['plan-json.sarif', ['check', 'plan.json']],
      ['preset.sarif', ['plan', '--preset', 'full']],
      ['stdin.sarif', ['check', '-'], FITS],
      ['hostile.sarif', ['check', HOSTILE]],
    ];
    const files = cases.map(([name, args, input]) => {
      const r = cli([...args, '--format', 'sarif'], input === undefined ? {} : { input });
      expect(r.err).toBe('');
      return h.file(name, r.out);
    });
    const issues = sarifValidate(files);
    // The one warning left: no informationUri, as Headroom has no public page to name yet.
    const serious = issues.filter((i) => i.level === 'error' || (i.level === 'warning' && i.ruleId !== 'SARIF2005'));
    expect(serious).toEqual([]);
    expect(new Set(issues.map((i) => i.file.replace(/^.*\//, '')))).toContain('seed.sarif');
  }, 180_000);

  it('the validator is live: it reports a log that breaks the schema as an error', () => {
    const region = (startLine: number) => ({ physicalLocation: { artifactLocation: { uri: 'a.yml' }, region: { startLine } } });
    const bad = h.file('bad.sarif', JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'A', message: { text: 'm' }, locations: [region(0)] }, { ruleId: 'B', locations: [region(1)] }] }] }));
    const errors = sarifValidate([bad]).filter((i) => i.level === 'error').map((i) => i.message).join('\n');
    expect(errors).toMatch(/startLine/);
    expect(errors).toMatch(/message/);
  }, 120_000);

  it('results point at the line that holds the setting to change, relative to the working folder', () => {
    const log = sarif(['check', SEED, '--format', 'sarif']);
    const run = log.runs[0]!;
    expect(run.artifacts).toEqual([{ location: { uri: SEED, uriBaseId: '%SRCROOT%' }, roles: ['analysisTarget'] }]);
    expect(run.invocations[0]!.exitCode).toBe(1);
    const fork = run.results.find((r) => r.ruleId === 'redis-fork-headroom')!;
    expect(fork.level).toBe('error');
    expect(fork.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: SEED, uriBaseId: '%SRCROOT%', index: 0 }, region: { startLine: 27, startColumn: 27 } });
    expect(fork.message.text).toMatch(/Fix: Set redis maxmemory to 104 MiB/);
    const limits = run.results.filter((r) => r.ruleId === 'usage-over-limit').map((r) => r.locations[0]!.physicalLocation!.region.startLine);
    expect(limits.sort((a, b) => a - b)).toEqual([12, 23, 41, 48]); // each service's deploy.resources.limits.memory line
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(run.tool.driver.rules[r.ruleIndex]!.defaultConfiguration.level);
    }
  });

  it('without a file (a preset, stdin) results are named by service only', () => {
    const log = sarif(['plan', '--preset', '4gb', '--format', 'sarif']);
    expect(log.runs[0]!.artifacts).toBeUndefined();
    expect(log.runs[0]!.results.find((r) => r.ruleId === 'redis-fork-headroom')!.locations).toEqual([{ logicalLocations: [{ name: 'redis', fullyQualifiedName: 'services.redis', kind: 'resource' }] }]);
  });

  it('a plan file: results at the plan\'s own keys', () => {
    const log = sarif(['check', 'plan.json', '--format', 'sarif']);
    const fork = log.runs[0]!.results.find((r) => r.ruleId === 'redis-fork-headroom' || r.ruleId === 'redis-maxmemory-headroom')!;
    expect(fork.locations[0]!.physicalLocation!.region.startLine).toBe(11); // "maxmemory": "256MiB"
  });
});

describe('--format junit', () => {
  const junit = async (args: string[]) => (await junitParse(cli([...args, '--format', 'junit']).out)) as TestSuites;

  it('one case for the verdict, one per service, one per finding; the failures are what fails the check', async () => {
    const json = JSON.parse(cli(['check', SEED, '--json']).out) as { services: unknown[]; findings: Array<{ severity: string; service: string | null; id: string }> };
    const x = await junit(['check', SEED]);
    const [verdict, services, findings] = x.testsuite!;
    expect(x.tests).toBe(1 + json.services.length + json.findings.length);
    expect(verdict!.testcase![0]!.failure![0]!.message).toBe('FAIL: 1 critical finding: redis-fork-headroom [redis]');
    expect(services!.testcase!.map((t) => t.name)).toEqual(['fastapi: memory limit', 'postgres: memory limit', 'redis: memory limit', 'prometheus: memory limit', 'grafana: memory limit']);
    expect(services!.testcase!.filter((t) => t.failure).map((t) => t.name)).toEqual(['redis: memory limit']);
    expect(findings!.testcase).toHaveLength(json.findings.length);
    const failed = findings!.testcase!.filter((t) => t.failure).map((t) => t.name);
    expect(failed).toEqual(json.findings.filter((f) => f.severity === 'critical').map((f) => `${f.id} [${f.service}]`));
    expect(x.failures).toBe(3);
    expect(findings!.testcase!.find((t) => t.name === 'redis-fork-headroom [redis]')!['system-out']![0]).toMatch(/fix: Set redis maxmemory to 104 MiB.*\nchange: in .*seed\.yml: services\.redis\.command: … --maxmemory 256mb … → … --maxmemory 104mb …/s);
  });

  it('a stack that fits: no failures', async () => {
    const x = await junit(['check', 'fits.yml']);
    expect(x.failures).toBe(0);
    expect(x.testsuite![0]!.testcase![0]!.failure).toBeUndefined();
  });

  it('a hostile file name reads back intact (the one character XML 1.0 cannot carry replaced)', async () => {
    const r = cli(['check', HOSTILE, '--format', 'junit']);
    expect(r.code).toBe(0);
    const x = (await junitParse(r.out)) as TestSuites;
    expect(x.name).toBe(`headroom check ${HOSTILE.replace('\u0001', '\uFFFD')} (Headroom ${HEADROOM_VERSION})`);
    expect(x.testsuite![1]!.testcase!.map((t) => t.name)).toContain('api_1.x: memory limit');
  });

  it('junit2json refuses malformed XML (so a broken escape would fail these tests)', async () => {
    await expect(junitParse('<testsuites><testsuite name="a"></testsuites>')).rejects.toThrow(/close tag/);
    await expect(junitParse('<testsuites name="a &b"></testsuites>')).rejects.toThrow();
    await expect(junitParse('<testsuites name=a></testsuites>')).rejects.toThrow(/Unquoted/);
  });
});

describe('--format markdown', () => {
  it('the verdict, the table, the host and the top findings with their fixes and lines', () => {
    const r = cli(['check', SEED, '--format', 'markdown']);
    expect(r.code).toBe(1);
    const md = r.out;
    expect(md).toMatch(/^### ❌ Headroom check: FAIL\n\n\*\*File:\*\* seed\.yml \(compose file, 5 services\) on a 4 GiB host\.\n\n\*\*FAIL:\*\* 1 critical finding: redis: no room to fork for a snapshot\n/);
    expect(md).toMatch(/\| service \| kind \| limit \| basis \| low \/ typical \/ high MiB \| headroom \| risk \|\n\|---\|/);
    expect(md.match(/^\| (fastapi|postgres|redis|prometheus|grafana) \|/gm)).toHaveLength(5);
    expect(md).toMatch(/\*\*Host:\*\* limits 1\.9 GiB \+ reserve/);
    expect(md).toMatch(/- 🔴 \*\*critical\*\* \*\*redis: no room to fork for a snapshot\*\* \(modelled\): .*\n {2}\*\*Fix:\*\* Set redis maxmemory to 104 MiB .* — in seed\.yml line 27: services\.redis\.command: … --maxmemory 256mb … → … --maxmemory 104mb …/);
    expect(md).not.toMatch(/plan file/);
    expect(md).toMatch(/…and \d+ more \(.*\): `headroom check` lists them all\./);
    expect(cli(['check', 'fits.yml', '--format', 'markdown']).out).toMatch(/^### ✅ Headroom check: PASS\n/);
  });

  it('stays the size of a PR comment for a large stack, and escapes a hostile file name', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`svc-${i}`, { image: 'redis:7', mem_limit: '64m' }]));
    const r = cli(['check', h.file('many.yml', stringify({ services: many })), '--format', 'markdown']);
    expect(r.out.length).toBeLessThan(65_536);
    expect(r.out).toMatch(/…and 260 more services/);
    const hostile = cli(['check', HOSTILE, '--format', 'markdown']).out;
    expect(hostile).toContain('we"ird \\<&amp;\\> \\]\\]\\> \'x\' \\| \\*\\_\\[a\\]\\(b\\) $\\{X\\}');
  });
});
