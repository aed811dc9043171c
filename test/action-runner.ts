/**
 * A local runner for composite GitHub Actions, doing what the runner does for the parts our
 * action.yml uses (test-only; no network):
 * - `${{ inputs.x }}`, `${{ github.action_path }}`, `${{ steps.id.outputs.x }}`, `${{ runner.temp }}`
 *   and `${{ env.X }}` substituted in `run`, `env` and the outputs' `value` (inputs: the `with:`
 *   value, else the input's default, else ''; ids case-insensitive); any other expression throws;
 * - each `run` step written to a file and run as `bash --noprofile --norc -eo pipefail FILE` (the
 *   runner's command for `shell: bash`) in the workspace, with GITHUB_ACTION_PATH, GITHUB_WORKSPACE,
 *   GITHUB_STEP_SUMMARY, a fresh GITHUB_OUTPUT per step (read back in `name=value` and
 *   `name<<DELIMITER` forms), RUNNER_TEMP, CI and GITHUB_ACTIONS set, and the step's `env`;
 * - a failing step fails the action and skips the rest (no step here has an `if:`);
 * - workflow commands (`::error file=…::message`) collected as annotations, unescaped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

type Step = { id?: string; name?: string; shell?: string; run?: string; uses?: string; if?: string; env?: Record<string, string>; 'working-directory'?: string };
export type ActionFile = {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
};

export type Annotation = { level: string; properties: Record<string, string>; message: string };
export type StepRun = { id: string; code: number | null; stdout: string; stderr: string };
export type ActionRun = { ok: boolean; steps: StepRun[]; summary: string; outputs: Record<string, string>; annotations: Annotation[] };

export function actionRead(dir: string): ActionFile {
  return parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionFile;
}

/** GitHub's toolkit escaping, undone (command.ts: %25, %0D, %0A; properties also %3A, %2C). */
const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

function annotationsOf(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties = Object.fromEntries((m[2] ?? '').split(',').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), unescape(p.slice(p.indexOf('=') + 1))]));
    out.push({ level: m[1]!, properties, message: unescape(m[3]!) });
  }
  return out;
}

/** `name=value` lines and `name<<EOF … EOF` blocks (GitHub docs, "Setting an output parameter"). */
function outputsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${heredoc[1]} has no closing ${heredoc[2]}`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    else if (line.trim() !== '') throw new Error(`GITHUB_OUTPUT: a line that is neither name=value nor name<<DELIMITER: ${line}`);
  }
  return out;
}

export function actionRun(actionDir: string, options: { with?: Record<string, string>; workspace: string; env?: Record<string, string> }): ActionRun {
  const action = actionRead(actionDir);
  if (action.runs.using !== 'composite') throw new Error(`this runner runs composite actions, not ${action.runs.using}`);
  const temp = mkdtempSync(join(tmpdir(), 'headroom-runner-'));
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const given = Object.fromEntries(Object.entries(options.with ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  for (const k of Object.keys(given)) if (!Object.keys(action.inputs).some((i) => i.toLowerCase() === k)) throw new Error(`Unexpected input '${k}' (the runner warns; here it is a test bug)`);
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k.toLowerCase(), given[k.toLowerCase()] ?? v.default ?? '']));
  const stepOutputs: Record<string, Record<string, string>> = {};
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? temp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_ACTION_PATH: actionDir,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    ...(options.env ?? {}),
  };
  const evaluate = (expr: string): string => {
    const e = expr.trim();
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.([A-Za-z_][\w-]*)$/.exec(e))) {
      if (!(m[1]!.toLowerCase() in inputs)) throw new Error(`expression ${e}: no such input`);
      return inputs[m[1]!.toLowerCase()]!;
    }
    if (e === 'github.action_path') return actionDir;
    if (e === 'runner.temp') return temp;
    if ((m = /^steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)$/.exec(e))) return stepOutputs[m[1]!]?.[m[2]!] ?? '';
    if ((m = /^env\.(\w+)$/.exec(e))) return base[m[1]!] ?? '';
    throw new Error(`expression \${{ ${e} }}: not supported by this test runner`);
  };
  const substitute = (s: string) => s.replace(/\$\{\{(.*?)\}\}/g, (_all, expr: string) => evaluate(expr));

  const steps: StepRun[] = [];
  let ok = true;
  for (const [n, step] of action.runs.steps.entries()) {
    if (step.uses || step.if) throw new Error(`step ${step.id ?? n}: uses/if are not supported by this test runner`);
    if (step.shell !== 'bash') throw new Error(`step ${step.id ?? n}: a composite run step needs shell: bash here, got ${step.shell}`);
    const script = join(temp, `step-${n}.sh`);
    writeFileSync(script, substitute(step.run ?? ''));
    const outputFile = join(temp, `output-${n}`);
    writeFileSync(outputFile, '');
    const env = { ...base, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v))])), GITHUB_OUTPUT: outputFile };
    const cwd = step['working-directory'] ? substitute(step['working-directory']) : options.workspace;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', timeout: 300_000 });
    steps.push({ id: step.id ?? String(n), code: r.status, stdout: r.stdout, stderr: r.stderr });
    if (step.id) stepOutputs[step.id] = outputsOf(readFileSync(outputFile, 'utf8'));
    if (r.status !== 0) {
      ok = false;
      break;
    }
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs ?? {}).map(([k, v]) => [k, substitute(v.value)]));
  return { ok, steps, summary: readFileSync(summaryFile, 'utf8'), outputs, annotations: steps.flatMap((s) => annotationsOf(s.stdout)) };
}
