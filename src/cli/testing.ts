/**
 * Test harness for the CLI as shipped: each test file bundles the CLI into its own temp folder
 * (so that no two test files write one bundle at once) with the same esbuild command as
 * `npm run build:cli`, then spawns it. Test-only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type CliRun = { code: number | null; out: string; err: string };
export type CliOptions = { input?: string; env?: Record<string, string>; cwd?: string };

export function cliHarness(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `headroom-${name}-`));
  const bundle = join(dir, 'headroom.js');
  return {
    dir,
    bundle,
    /** Bundles the CLI (call in beforeAll). */
    build(): void {
      const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
      const args = pkg.scripts['build:cli']!.replace(/^esbuild /, '').replace('--outfile=dist/cli/headroom.js', `--outfile=${bundle}`);
      execFileSync('sh', ['-c', `./node_modules/.bin/esbuild ${args}`], { stdio: 'inherit' });
    },
    /** Runs the bundled CLI; `env`, when given, replaces the environment but for PATH. */
    run(args: string[], opts: CliOptions = {}): CliRun {
      const env = opts.env ? { PATH: process.env.PATH ?? '', ...opts.env } : process.env;
      const r = spawnSync('node', [bundle, ...args], { encoding: 'utf8', input: opts.input, timeout: 60_000, env, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    /** Writes a file into the harness's folder and returns its path. */
    file(fileName: string, text: string): string {
      const path = join(dir, fileName);
      writeFileSync(path, text);
      return path;
    },
  };
}
