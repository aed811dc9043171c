/**
 * The package as npm ships it: `npm pack`, installed from the tarball into an empty folder with
 * no network (`--offline`: the tarball has no dependencies to fetch), then `npx headroom` there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { readmeBlock } from '../../test/readme.ts';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'headroom-pack-'));
const app = join(work, 'app');
/** npm with the registry unreachable on purpose: anything it would fetch fails instead. */
const offline = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_registry: 'http://127.0.0.1:9/' };
let tarball = '';
let manifest: Record<string, unknown> = {};

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: offline, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  const packed = run('npm', ['pack', '--json', '--pack-destination', work], root);
  expect(packed.code, packed.err).toBe(0);
  const info = JSON.parse(packed.out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info[0]!.filename);
  manifest = { files: info[0]!.files.map((f) => f.path).sort() };
  spawnSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'ci-job', version: '1.0.0', private: true }));
  const installed = run('npm', ['install', '--offline', '--no-save', tarball], app);
  expect(installed.code, installed.err).toBe(0);
  copyFileSync(join(root, 'src/formats/compose-import/corpus/02-seed-4gb.yml'), join(app, 'docker-compose.yml'));
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the bundled CLI, package.json and the README, nothing else', () => {
    expect(manifest.files).toEqual(['README.md', 'dist/cli/headroom.js', 'package.json']);
  });

  it('package.json: a bin, Node ≥ 20, not private, no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/headroom/package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.bin).toEqual({ headroom: 'dist/cli/headroom.js' });
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.private).toBeUndefined();
    // Everything the CLI uses is in its bundle; React and the rest are the page's, built by Vite.
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('the bundle imports nothing but Node\'s own modules', () => {
    // Comments stripped first: bundled libraries' JSDoc types say `import('./Expression.js')`.
    const code = readFileSync(join(app, 'node_modules/headroom/dist/cli/headroom.js'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const imported = [...code.matchAll(/(?:^|\n)import\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
    expect(imported.length).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    expect(imported.filter((m) => !m.startsWith('node:') && !builtins.has(m))).toEqual([]);
  });

  it('the README\'s lines, run as written in a project folder: install the tarball offline, npx headroom', () => {
    const project = join(work, 'project');
    spawnSync('mkdir', ['-p', project]);
    copyFileSync(tarball, join(project, tarball.slice(tarball.lastIndexOf('/') + 1)));
    copyFileSync(join(root, 'src/formats/compose-import/corpus/02-seed-4gb.yml'), join(project, 'docker-compose.yml'));
    const lines = readmeBlock('**From the package.**', 'sh').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(lines[0]).toBe('npm pack'); // done above, in the repository
    const results = lines.slice(1).map((line) => ({ line, ...run('sh', ['-c', line], project) }));
    expect(results.map((r) => r.line)).toEqual([`npm install --offline ./${tarball.slice(tarball.lastIndexOf('/') + 1)}`, 'npx --no-install headroom --version', 'npx --no-install headroom check docker-compose.yml --host 4GiB']);
    expect(results.map((r) => r.code)).toEqual([0, 0, 1]);
    expect(results[2]!.out).toMatch(/\nFAIL: 1 critical finding: redis: no room to fork for a snapshot\n$/);
  });

  it('npx headroom --version and check run from the installed tarball', () => {
    const version = run('npx', ['--no-install', 'headroom', '--version'], app);
    expect(version).toMatchObject({ code: 0, out: `${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n` });
    const check = run('npx', ['--no-install', 'headroom', 'check', 'docker-compose.yml'], app);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/^Headroom check: docker-compose\.yml \(compose file, 5 services\), host 4 GiB\n/);
    expect(check.out).toMatch(/\nFAIL: 1 critical finding: redis: no room to fork for a snapshot\n$/);
    const passing = run('npx', ['--no-install', 'headroom', 'check', 'docker-compose.yml', '--host', '4GiB', '--format', 'json'], app);
    expect(JSON.parse(passing.out).check.outcome).toBe('fail');
    writeFileSync(join(app, 'bad.yml'), 'services:\n  db:\n    image: postgres\n    mem_limit: 1.5Q\n');
    const bad = run('npx', ['--no-install', 'headroom', 'check', 'bad.yml'], app);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: bad\.yml: services\.db\.mem_limit \(line 4, column 16\): expected a size/);
    expect(bad.err).not.toMatch(/\n\s+at /);
  });
});
