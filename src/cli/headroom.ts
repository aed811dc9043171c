#!/usr/bin/env node
/** Headroom's command line: the same engine as the app, for people and for CI. */
import { parseArgs } from 'node:util';
import { evaluate, PRESET_NAMES } from '../engine/index.ts';
import { loadPlan, UsageError } from './io.ts';
import { allowOutside } from './compose.ts';
import { reportJson, reportText } from './render.ts';
import { verdictOf } from '../engine/verdict.ts';
import { FORMAT_OPTIONS, FORMATS, formatOf } from './format.ts';
import { checkedFrom, renderAs } from './output.ts';
import { HEADROOM_VERSION } from './version.ts';
import { checkCommand } from './check.ts';
import { exportCommand } from './export.ts';
import { capacityCommand } from './capacity.ts';
import { fitCommand } from './fit.ts';
import { compareCommand } from './compare.ts';
import { observeCommand } from './observe.ts';
import { placeCommand } from './place.ts';
import { EVIDENCE_OPTIONS, EVIDENCE_USAGE, evidenceLines, withEvidence } from './evidence.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };
type Command = { usage: string; summary: string; options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>; run: (a: Args) => number | Promise<number> };

const PLAN_OPTIONS = { preset: { type: 'string' }, host: { type: 'string' }, ...EVIDENCE_OPTIONS, ...FORMAT_OPTIONS } as const;

export const COMMANDS: Record<string, Command> = {
  plan: {
    usage: `plan [FILE] [--preset NAME] ${EVIDENCE_USAGE} [--format ${FORMATS.join('|')}]`,
    summary: 'evaluate a plan: services, host, spike scenario and findings',
    options: PLAN_OPTIONS,
    run: ({ positionals, values }) => {
      const format = formatOf(values);
      const loaded = loadPlan(positionals[0], values.preset as string | undefined, values.host as string | undefined);
      const { plan, used } = withEvidence(loaded.plan, values, loaded.compose);
      const source = { ...loaded, plan };
      const report = evaluate(plan);
      const checked = checkedFrom('plan', source, positionals[0], report);
      const text = () => (used ? `${evidenceLines(used, report).join('\n')}\n\n` : '') + reportText(report, source.label, checked);
      process.stdout.write(renderAs(format, checked, { text, json: () => reportJson({ ...report, verdict: verdictOf(report), ...(used ? { evidence: used } : {}) }) }));
      return 0;
    },
  },
  check: checkCommand,
  export: exportCommand,
  capacity: capacityCommand,
  fit: fitCommand,
  compare: compareCommand,
  observe: observeCommand,
  place: placeCommand,
  presets: {
    usage: 'presets',
    summary: 'list the built-in presets',
    options: {},
    run: () => {
      process.stdout.write(`${PRESET_NAMES.join('\n')}\n`);
      return 0;
    },
  },
};

function help(): string {
  const rows = Object.values(COMMANDS).map((c) => `  headroom ${c.usage.padEnd(44)} ${c.summary}`);
  return [
    'Headroom: a memory budget for a whole Docker Compose stack on one host.',
    '',
    'usage:',
    ...rows,
    '',
    `presets: ${PRESET_NAMES.join(', ')}. FILE is a plan file in YAML or JSON ("-" reads stdin),`,
    '  or a docker-compose.yml (told apart by content; --host SIZE gives the host RAM, default 4GiB).',
    'evidence (plan, check, capacity, fit): --evidence FILE, repeatable: headroom observe\'s file, a Prometheus',
    '  query_range response, docker stats, cgroup files, free -m or /proc/meminfo (told apart by content).',
    `formats (plan, check): --format ${FORMATS.join('|')}; --json is --format json.`,
    'compose import reads env_file and mounted config files only inside the compose file\'s folder; --allow-outside PATH adds PATH.',
    'exit codes: 0 done (check: pass), 1 check: the stack does not fit or has a critical finding, 2 bad input.',
    '  observe: 0 written, 2 bad input / Docker not reachable / no running containers, 130 Ctrl-C (what was sampled is written).',
    '  observe finds Docker at $DOCKER_HOST (unix:///path or tcp://HOST:PORT), else /var/run/docker.sock.',
    `headroom --version prints the version (${HEADROOM_VERSION}).`,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${HEADROOM_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command "${name}" (expected one of ${Object.keys(COMMANDS).join(', ')})\n\n${help()}`);
    return 2;
  }
  try {
    let parsed: Args;
    try {
      parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' }, 'allow-outside': { type: 'string', multiple: true } }, allowPositionals: true, strict: true }) as Args;
    } catch (e) {
      throw new UsageError([`error: ${(e as Error).message.split('\n')[0]}`, `usage: headroom ${command.usage}`]);
    }
    // Compose import reads side files (env_file, bind-mounted configs) only inside the project's folder and these.
    allowOutside((parsed.values['allow-outside'] as unknown as string[] | undefined) ?? []);
    if (parsed.values.help) {
      process.stdout.write(`usage: headroom ${command.usage}\n${command.summary}\n`);
      return 0;
    }
    return await command.run(parsed);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.lines.join('\n')}\n`);
      return e.exitCode;
    }
    // A bug of ours, not the user's input: say so in one line, without a stack trace.
    process.stderr.write(`internal error: ${(e as Error)?.message ?? String(e)} (please report it with the plan file)\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
