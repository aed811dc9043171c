#!/usr/bin/env node
/** Headroom's command line: the same engine as the app, for people and for CI. */
import { parseArgs } from 'node:util';
import { evaluate, PRESET_NAMES } from '../engine/index.ts';
import { loadPlan, UsageError } from './io.ts';
import { reportJson, reportText } from './render.ts';
import { checkCommand } from './check.ts';
import { exportCommand } from './export.ts';
import { capacityCommand } from './capacity.ts';
import { compareCommand } from './compare.ts';

type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };
type Command = { usage: string; summary: string; options: Record<string, { type: 'string' | 'boolean' }>; run: (a: Args) => number };

const COMMON = { preset: { type: 'string' }, json: { type: 'boolean' }, host: { type: 'string' } } as const;

export const COMMANDS: Record<string, Command> = {
  plan: {
    usage: 'plan [FILE] [--preset NAME] [--json]',
    summary: 'evaluate a plan: services, host, spike scenario and findings',
    options: COMMON,
    run: ({ positionals, values }) => {
      const { plan, label } = loadPlan(positionals[0], values.preset as string | undefined, values.host as string | undefined);
      const report = evaluate(plan);
      process.stdout.write(values.json ? reportJson(report) : reportText(report, label));
      return 0;
    },
  },
  check: checkCommand,
  export: exportCommand,
  capacity: capacityCommand,
  compare: compareCommand,
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
    'exit codes: 0 done, 1 the plan does not fit (check), 2 bad input.',
    '',
  ].join('\n');
}

export function main(argv: string[]): number {
  const [name, ...rest] = argv;
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
      parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }) as Args;
    } catch (e) {
      throw new UsageError([`error: ${(e as Error).message.split('\n')[0]}`, `usage: headroom ${command.usage}`]);
    }
    if (parsed.values.help) {
      process.stdout.write(`usage: headroom ${command.usage}\n${command.summary}\n`);
      return 0;
    }
    return command.run(parsed);
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

process.exitCode = main(process.argv.slice(2));
