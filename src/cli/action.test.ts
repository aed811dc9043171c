/**
 * action.yml, run the way the runner runs a composite action (test/action-runner.ts): inputs
 * substituted into the steps' env, each step run by bash with GITHUB_STEP_SUMMARY and
 * GITHUB_OUTPUT, against the bundled CLI. No network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cliHarness } from './testing.ts';
import { actionRead, actionRun } from '../../test/action-runner.ts';
import { readmeBlock } from '../../test/readme.ts';
import { parse } from 'yaml';

const h = cliHarness('action');
const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'headroom-action-'));
const workspace = join(work, 'repo');
const FITS = stringify({
  services: {
    api: { image: 'acme/api:1', command: 'uvicorn app:app --workers 2', mem_limit: '512m' },
    db: { image: 'postgres:16', command: 'postgres -c shared_buffers=256MB -c max_connections=60 -c max_parallel_workers_per_gather=0', mem_limit: '1600m' },
    cache: { image: 'redis:7', command: 'redis-server --maxmemory 96mb --maxmemory-policy allkeys-lru --save ""', mem_limit: '256m' },
  },
});

/** FITS plus a service Headroom has no model, evidence or limit for: its usage is a guess. */
const GUESSED = stringify({ services: { ...parse(FITS).services, worker: { image: 'acme/worker:1', command: 'worker --queue default' } } });

/** A checkout of the action: action.yml, action/, and dist/cli/headroom.js when `cli` is given. */
function actionCheckout(name: string, cli: string | null): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, 'action.yml'), join(dir, 'action.yml'));
  cpSync(join(root, 'action'), join(dir, 'action'), { recursive: true });
  if (cli) {
    mkdirSync(join(dir, 'dist/cli'), { recursive: true });
    copyFileSync(cli, join(dir, 'dist/cli/headroom.js'));
  }
  return dir;
}

let action = '';
const run = (inputs: Record<string, string> = {}, dir = action, env: Record<string, string> = {}) => actionRun(dir, { with: inputs, workspace, env });

beforeAll(() => {
  h.build();
  action = actionCheckout('action', h.bundle);
  mkdirSync(workspace, { recursive: true });
  copyFileSync(join(root, 'src/formats/compose-import/corpus/02-seed-4gb.yml'), join(workspace, 'docker-compose.yml'));
  writeFileSync(join(workspace, 'fits.yml'), FITS);
  writeFileSync(join(workspace, 'my stack, v2.yml'), FITS);
  writeFileSync(join(workspace, 'guessed.yml'), GUESSED);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('action.yml', () => {
  it('is a composite action whose inputs are documented and reach its steps under their INPUT_ names', () => {
    const a = actionRead(root);
    expect(a.runs.using).toBe('composite');
    expect(Object.keys(a.inputs).sort()).toEqual(['assume', 'evidence', 'fail-on', 'files', 'host', 'sarif-dir']);
    for (const [name, input] of Object.entries(a.inputs)) expect(input.description.length, name).toBeGreaterThan(20);
    expect(a.inputs['fail-on']!.default).toBe('fail');
    expect(a.inputs.files!.default).toBe('docker-compose.yml');
    for (const step of a.runs.steps) expect(step.shell).toBe('bash');
    const check = a.runs.steps.find((s) => s.id === 'check')!;
    // The runner's own naming for inputs (INPUT_ + upper case, "-" kept as "_" here for bash).
    for (const name of Object.keys(a.inputs)) expect(check.env![`INPUT_${name.toUpperCase().replace(/-/g, '_')}`]).toBe(`\${{ inputs.${name} }}`);
    expect(Object.values(a.outputs).map((o) => o.value)).toEqual(['${{ steps.check.outputs.outcome }}', '${{ steps.check.outputs.exit-code }}']);
  });
});

describe('the action, run as the runner runs it', () => {
  it('the seed\'s compose file (the default files input) fails the job and writes the Markdown report to the job summary', () => {
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.steps.map((s) => [s.id, s.code])).toEqual([['setup', 0], ['check', 1]]);
    expect(r.summary).toMatch(/^### ❌ Headroom check: FAIL\n\n\*\*File:\*\* docker-compose\.yml \(compose file, 5 services\) on a 4 GiB host\./);
    expect(r.summary).toMatch(/in docker-compose\.yml line 27: services\.redis\.command: … --maxmemory 256mb … → … --maxmemory 104mb …/);
    expect(r.summary).not.toMatch(/plan file/);
    expect(r.outputs).toEqual({ outcome: 'fail', 'exit-code': '1' });
    expect(r.annotations).toContainEqual({ level: 'error', properties: { title: 'Headroom' }, message: 'the stack does not fit (fail-on: fail)' });
    expect(r.steps[1]!.stdout).toMatch(/::group::headroom check docker-compose\.yml\nHeadroom check: docker-compose\.yml/);
  });

  it('fail-on: never reports and passes the job', () => {
    const r = run({ 'fail-on': 'never' });
    expect(r.ok).toBe(true);
    expect(r.outputs.outcome).toBe('fail');
    expect(r.summary).toMatch(/Headroom check: FAIL/);
  });

  it('a stack that fits passes; host: 2GiB makes it fail', () => {
    const pass = run({ files: 'fits.yml' });
    expect(pass.ok).toBe(true);
    expect(pass.summary).toMatch(/^### ✅ Headroom check: PASS\n/);
    expect(pass.outputs).toEqual({ outcome: 'pass', 'exit-code': '0' });
    const small = run({ files: 'fits.yml', host: '2GiB' });
    expect(small.ok).toBe(false);
    expect(small.summary).toMatch(/on a 2 GiB host/);
  });

  it('several files, one per line or on one line, each with its report; the worst verdict wins; names with spaces and commas', () => {
    for (const files of ['fits.yml\ndocker-compose.yml\n', 'fits.yml docker-compose.yml']) {
      const r = run({ files });
      expect(r.ok).toBe(false);
      expect(r.summary.match(/^### .* Headroom check: (PASS|FAIL)$/gm)).toEqual(['### ✅ Headroom check: PASS', '### ❌ Headroom check: FAIL']);
      expect(r.outputs.outcome).toBe('fail');
    }
    const spaced = run({ files: 'my stack, v2.yml\n' });
    expect(spaced.ok).toBe(true);
    expect(spaced.summary).toMatch(/\*\*File:\*\* my stack, v2\.yml/);
  });

  it('sarif-dir: one SARIF file per checked file', () => {
    const r = run({ files: 'fits.yml\ndocker-compose.yml', 'sarif-dir': 'sarif', 'fail-on': 'never' });
    expect(r.ok).toBe(true);
    const files = readdirSync(join(workspace, 'sarif')).sort();
    expect(files).toEqual(['0-fits.sarif', '1-docker-compose.sarif']);
    const log = JSON.parse(readFileSync(join(workspace, 'sarif', files[1]!), 'utf8'));
    expect(log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'redis-fork-headroom').locations[0].physicalLocation.region.startLine).toBe(27);
  });

  it('evidence: each line passed to check as --evidence; an observed worker settles a cannot-tell verdict; a bad file fails the job with its path', () => {
    // An evidence file as `headroom observe` writes it (src/formats/evidence/file.ts): the guessed worker seen at 80–86 MiB.
    const t0 = 1_764_650_000;
    const samples = Array.from({ length: 60 }, (_, i) => [t0 + 5 * i, (80 + (i % 7)) * 1_048_576]);
    const evidence = { format: 'headroom-evidence', version: 1, source: 'observe', collectedAt: '2026-12-02T06:00:00Z', durationSeconds: 300, intervalSeconds: 5, host: null,
      services: [{ service: 'worker', containers: ['repo-worker-1'], samples, limitBytes: null, peakBytes: null, anonBytes: null, fileBytes: null, oomKills: [], restarts: 0 }] };
    writeFileSync(join(workspace, 'evidence.json'), JSON.stringify(evidence));
    const guessed = run({ files: 'guessed.yml', 'fail-on': 'cannot-tell' });
    expect(guessed.outputs).toEqual({ outcome: 'cannot-tell', 'exit-code': '3' });
    const seen = run({ files: 'guessed.yml', 'fail-on': 'cannot-tell', evidence: 'evidence.json\n' });
    expect(seen.ok).toBe(true);
    expect(seen.outputs).toEqual({ outcome: 'pass', 'exit-code': '0' });
    expect(seen.summary).toMatch(/PASS/);

    writeFileSync(join(workspace, 'truncated.json'), JSON.stringify(evidence).slice(0, 200));
    const bad = run({ files: 'guessed.yml', 'fail-on': 'never', evidence: 'truncated.json' });
    expect(bad.ok).toBe(false);
    expect(bad.steps[1]!.code).toBe(2);
    expect(bad.annotations.map((a) => a.message).join('\n')).toMatch(/truncated\.json/);
    expect(bad.outputs).toEqual({ outcome: 'error', 'exit-code': '2' });
  });

  it.each([
    [{ files: 'no-such.yml' }, /cannot read no-such\.yml: no such file/, { file: 'no-such.yml', title: 'Headroom' }],
    [{ 'fail-on': 'sometimes' }, /fail-on: expected fail, cannot-tell or never, got "sometimes"/, { title: 'Headroom' }],
    [{ assume: 'yes' }, /assume: expected true or false, got "yes"/, { title: 'Headroom' }],
    [{ files: '  \n' }, /files: no file named/, { title: 'Headroom' }],
  ])('bad input %j fails the job with an annotation', (inputs, message, properties) => {
    const r = run(inputs);
    expect(r.ok).toBe(false);
    expect(r.steps[1]!.code).toBe(2);
    const a = r.annotations.find((x) => message.test(x.message));
    expect(a).toMatchObject({ level: 'error', properties });
  });

  it('a cannot-tell verdict (exit 3) fails the job only with fail-on: cannot-tell; assume: true accepts the guesses', () => {
    // The real CLI: a service with no model, no evidence and no limit leaves the verdict open.
    const lenient = run({ files: 'guessed.yml' });
    expect(lenient.steps[1]!.code).toBe(0);
    expect(lenient.ok).toBe(true);
    expect(lenient.outputs).toEqual({ outcome: 'cannot-tell', 'exit-code': '3' });
    expect(lenient.summary).toMatch(/^### ❔ Headroom check: CANNOT TELL\n/);
    expect(lenient.summary).toMatch(/worker/);
    const strict = run({ files: 'guessed.yml', 'fail-on': 'cannot-tell' });
    expect(strict.ok).toBe(false);
    expect(strict.annotations.map((a) => a.message)).toContain('the stack does not fit, or the pass rests on assumed usage (fail-on: cannot-tell)');
    const assumed = run({ files: 'guessed.yml', 'fail-on': 'cannot-tell', assume: 'true' });
    expect(assumed.ok).toBe(true);
    expect(assumed.outputs).toEqual({ outcome: 'pass', 'exit-code': '0' });
  });

  it('the README\'s workflow: its Headroom step, run with the inputs it shows', () => {
    type Workflow = { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }> };
    const workflow = parse(readmeBlock('**GitHub Action.**', 'yaml')) as Workflow;
    const steps = Object.values(workflow.jobs)[0]!.steps;
    const ours = steps.find((st) => st.uses?.includes('/headroom@'))!;
    expect(Object.keys(ours.with!).every((k) => k in actionRead(root).inputs)).toBe(true);
    mkdirSync(join(workspace, 'deploy'), { recursive: true });
    writeFileSync(join(workspace, 'deploy/compose.prod.yaml'), FITS);
    const r = run(ours.with!);
    expect(r.ok).toBe(false); // the seed's docker-compose.yml fails; the prod file passes
    expect(r.summary.match(/^### .* Headroom check: (PASS|FAIL)$/gm)).toEqual(['### ❌ Headroom check: FAIL', '### ✅ Headroom check: PASS']);
    expect(readdirSync(join(workspace, ours.with!['sarif-dir']!)).sort()).toEqual(['0-docker-compose.sarif', '1-compose.prod.sarif']);
    expect(steps.find((st) => st.uses?.startsWith('github/codeql-action/upload-sarif'))?.with).toEqual({ sarif_file: ours.with!['sarif-dir'] });
  });

  it('a checkout without dist/ builds the CLI first (npm ci, npm run build:cli)', () => {
    const dir = actionCheckout('unbuilt', null);
    const bin = join(work, 'stub-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(work, 'npm.log');
    // npm as a stand-in: records its arguments and "builds" by copying the bundle.
    writeFileSync(join(bin, 'npm'), `#!/usr/bin/env bash\necho "$*" >> '${log}'\nif [ "$1" = run ]; then mkdir -p dist/cli && cp '${h.bundle}' dist/cli/headroom.js; fi\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const r = run({ files: 'fits.yml' }, dir, { PATH: `${bin}:${process.env.PATH}` });
    expect(r.ok).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe('ci --no-audit --no-fund --ignore-scripts\nrun --silent build:cli\n');
    expect(r.steps[0]!.stdout).toMatch(/::group::Build Headroom's CLI/);
  });
});
