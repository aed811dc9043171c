/**
 * .pre-commit-hooks.yaml: its structure, and the hook run for real by `pre-commit try-repo`
 * (Debian's pre-commit; .ci/run installs it) against a temporary git repository. pre-commit
 * installs the hook as a node hook with the system's Node (npm install, npm pack, npm install -g
 * of the tarball into its own environment): npm is told to prefer its cache.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readmeBlock } from '../../test/readme.ts';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'headroom-pre-commit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Hook = { id: string; name: string; entry: string; language: string; files: string; types?: string[]; pass_filenames?: boolean; description?: string; minimum_pre_commit_version?: string };
const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

function preCommit(): string {
  const r = spawnSync('sh', ['-c', 'command -v pre-commit'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (!path) throw new Error('pre-commit is not installed: apt-get update && apt-get install -y --no-install-recommends pre-commit');
  return path;
}

const FITS = stringify({ services: { cache: { image: 'redis:7', command: 'redis-server --maxmemory 96mb --maxmemory-policy allkeys-lru --save ""', mem_limit: '256m' } } });

describe('.pre-commit-hooks.yaml', () => {
  it('one hook, headroom-check, as pre-commit\'s manifest schema wants it', () => {
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook).toMatchObject({ id: 'headroom-check', name: 'headroom check', entry: 'headroom check', language: 'node', files: '(docker-)?compose.*\\.ya?ml$', pass_filenames: true });
    // The entry's executable is the package's bin: what the node hook installs.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain(hook.entry.split(' ')[0]);
  });

  it('the README\'s .pre-commit-config.yaml names this hook, with arguments check takes', () => {
    type Config = { repos: Array<{ repo: string; rev: string; hooks: Array<{ id: string; args?: string[] }> }> };
    const config = parse(readmeBlock('**pre-commit.**', 'yaml')) as Config;
    const hook = config.repos[0]!.hooks[0]!;
    expect(hook.id).toBe(hooks[0]!.id);
    // The hook's command line, as pre-commit builds it: entry, args, then the files.
    const r = spawnSync('node', ['--import', 'tsx', 'src/cli/headroom.ts', ...hooks[0]!.entry.split(' ').slice(1), ...(hook.args ?? []), 'src/formats/compose-import/corpus/02-seed-4gb.yml'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
  });

  it.each([
    ['docker-compose.yml', true], ['compose.yaml', true], ['deploy/docker-compose.prod.yml', true], ['compose.override.yaml', true],
    ['docker-compose.json', false], ['Dockerfile', false], ['composer.json', false], ['compose.yml.orig', false],
  ])('files matches %s: %s (re.search, as pre-commit)', (path, match) => {
    expect(new RegExp(hooks[0]!.files).test(path)).toBe(match);
  });
});

describe('pre-commit try-repo', () => {
  const bin = preCommit();
  const repo = join(work, 'project');
  const env = { ...process.env, PRE_COMMIT_HOME: join(work, 'cache'), npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', PRE_COMMIT_COLOR: 'never', NO_COLOR: '1' };
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  const tryRepo = (...args: string[]) => spawnSync(bin, ['try-repo', root, 'headroom-check', '--all-files', '--verbose', ...args], { cwd: repo, env, encoding: 'utf8', timeout: 540_000 });

  it('installs the hook from this repository and fails a commit whose compose file does not fit; passes one that fits', () => {
    spawnSync('mkdir', ['-p', join(repo, 'deploy')]);
    git('init', '-q');
    copyFileSync(join(root, 'src/formats/compose-import/corpus/02-seed-4gb.yml'), join(repo, 'docker-compose.yml'));
    writeFileSync(join(repo, 'deploy', 'compose.yaml'), FITS);
    writeFileSync(join(repo, 'notes.yaml'), 'not: a compose file\n');
    git('add', '.');
    git('commit', '-q', '-m', 'stack');

    const failing = tryRepo();
    const out = `${failing.stdout}${failing.stderr}`;
    expect(failing.status, out).toBe(1);
    expect(out).toMatch(/headroom check\.+Failed/);
    expect(out).toMatch(/- exit code: 1/);
    expect(out).toMatch(/Headroom check: docker-compose\.yml \(compose file, 5 services\)/);
    expect(out).toMatch(/FAIL: 1 critical finding: redis: no room to fork for a snapshot/);
    expect(out).toMatch(/Headroom check: deploy\/compose\.yaml \(compose file, 1 services\)[\s\S]*PASS: the stack fits 4 GiB/);
    expect(out).not.toMatch(/notes\.yaml/);

    git('rm', '-q', 'docker-compose.yml');
    git('commit', '-q', '-m', 'only the stack that fits');
    const passing = tryRepo();
    expect(passing.status, `${passing.stdout}${passing.stderr}`).toBe(0);
    expect(passing.stdout).toMatch(/headroom check\.+Passed/);
  }, 600_000); // the first run installs the hook: npm install of this repository, npm pack, npm install -g
});
