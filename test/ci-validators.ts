/**
 * The official checkers for the CI formats. Test-only.
 * - SARIF: the SARIF Multitool's `validate` (Microsoft's SARIF SDK, npm @microsoft/sarif-multitool;
 *   a .NET binary in @microsoft/sarif-multitool-linux). Run with .NET's invariant globalization,
 *   so it needs no libicu.
 * - JUnit: read back with junit2json (xml2js in strict mode: malformed XML is an error).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type SarifIssue = { level: string; ruleId: string; message: string; file: string };

/** The multitool binary; throws, naming the install command, when it is missing. */
export function sarifMultitool(): string {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require(`@microsoft/sarif-multitool-${process.platform}`) as string;
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error('the SARIF Multitool is not installed: npm ci (it is the devDependency @microsoft/sarif-multitool; its binary comes in @microsoft/sarif-multitool-linux)');
  }
  return path;
}

export function sarifMultitoolVersion(): string {
  // `validate --help` prints the banner with the version (`--version` prints nothing here).
  const r = spawnSync(sarifMultitool(), ['validate', '--help'], { encoding: 'utf8', env: dotnetEnv() });
  return (`${r.stdout}${r.stderr}`.match(/SARIF Multitool [^\s]+/) ?? ['SARIF Multitool (version unknown)'])[0];
}

function dotnetEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' };
}

/**
 * Validates SARIF files with `Sarif.Multitool validate` at every level: the SARIF 2.1.0 JSON
 * schema (the one the multitool ships; without `--json-schema` it skips the schema, measured
 * here: a startLine of 0 passed) and the SDK's own rules. Returns what it reported; throws when
 * the tool itself fails.
 */
export function sarifValidate(files: string[]): SarifIssue[] {
  const tool = sarifMultitool();
  const schema = join(dirname(tool), 'sarif-2.1.0.json');
  accessSync(schema, constants.R_OK);
  const dir = mkdtempSync(join(tmpdir(), 'headroom-sarif-validate-'));
  try {
    const out = join(dir, 'validation.sarif');
    const r = spawnSync(tool, ['validate', ...files, '--json-schema', schema, '--level', 'Error;Warning;Note', '--output', out, '--log', 'ForceOverwrite'], { encoding: 'utf8', env: dotnetEnv(), timeout: 120_000 });
    if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`Sarif.Multitool validate failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stdout}${r.stderr}`);
    const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results?: Array<{ level?: string; ruleId: string; message: { text?: string; id?: string; arguments?: string[] }; locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string } } }> }> }> };
    return (log.runs[0]?.results ?? []).map((x) => ({
      // SARIF's default level is warning (§3.27.10).
      level: x.level ?? 'warning',
      ruleId: x.ruleId,
      message: x.message.text ?? `${x.message.id}: ${(x.message.arguments ?? []).join(' | ')}`,
      file: x.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '',
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
