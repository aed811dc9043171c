// npm run stack-test [-- --plan FILE | --preset 4gb] [--minutes N] [--out DIR] [--no-alert-path] [--no-failure] [--sweep [--sweep-seconds N]]
// The exported stack in real containers under its limits (scripts/stack-test/run.ts). Writes
// DIR/<plan>.md and .json (default test-results/stack-test) and, with --record, the calibration
// records in calibration/. Everything it starts is removed at the end, also on failure or Ctrl+C.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { presetPlanFile, REPO } from './plan.ts';
import { buildReport, reportMarkdown } from './report.ts';
import { runStackTest } from './run.ts';
import { writeStackCalibration } from './calibration.ts';
import { writeLatencyCalibration } from './latency-record.ts';

function usage(msg: string): never {
  console.error(`error: ${msg}\nusage: npm run stack-test -- [--plan FILE | --preset NAME] [--minutes N] [--out DIR] [--record] [--no-alert-path] [--no-failure] [--sweep [--sweep-seconds N]]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let planFile: string | null = null;
let minutes = 5;
let out = join(REPO, 'test-results', 'stack-test');
let record = false;
let alert = true;
let failure = true;
let sweep = false;
let sweepSeconds = 60;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const next = () => args[++i] ?? usage(`${a} needs a value`);
  if (a === '--plan') planFile = resolve(next());
  else if (a === '--preset') planFile = presetPlanFile(next());
  else if (a === '--minutes') {
    minutes = Number(next());
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 120) usage('--minutes: expected a number of minutes above 0 and at most 120');
  } else if (a === '--out') out = resolve(next());
  else if (a === '--record') record = true;
  else if (a === '--no-alert-path') alert = false;
  else if (a === '--no-failure') failure = false;
  else if (a === '--sweep') sweep = true;
  else if (a === '--sweep-seconds') {
    sweepSeconds = Number(next());
    if (!Number.isFinite(sweepSeconds) || sweepSeconds < 10 || sweepSeconds > 600) usage('--sweep-seconds: expected seconds from 10 to 600');
  }
  else usage(`unknown argument ${a}`);
}
planFile ??= presetPlanFile('4gb');

// The normal load for the given minutes, then the spike for a quarter of that (at least 30 s).
const normalSeconds = Math.round(minutes * 60);
const spikeSeconds = Math.max(30, Math.round(normalSeconds / 4));
const work = join(tmpdir(), `headroom-stack-test-${process.pid}`);
mkdirSync(work, { recursive: true });
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
try {
  // --sweep: the stack alone on cpu 1, the load generator on cpu 0 (a 2-core machine), the normal
  // load then 25%–120% of the rate that fills that core (run.ts); no alert path or deliberate failure.
  const sweepOpts = sweep ? { cpus: '1', generatorCpus: '0', cores: 1, seconds: sweepSeconds, fractions: [0.5, 0.75, 0.9, 1], ramp: 6 } : undefined;
  const result = await runStackTest({
    planFile,
    normalSeconds: sweep ? sweepSeconds : normalSeconds,
    spikeSeconds,
    workDir: work,
    alertPath: alert && !sweep,
    deliberateFailure: failure && !sweep,
    ...(sweepOpts ? { sweep: sweepOpts } : {}),
  });
  const rep = buildReport(result);
  mkdirSync(out, { recursive: true });
  const base = join(out, rep.title.replace(/^Deployment test: /, '').replace(/, measured$/, '').replace(/[^\w.-]+/g, '-'));
  writeFileSync(`${base}.json`, JSON.stringify({ report: rep, samples: result.samples, events: result.events }, null, 1) + '\n');
  writeFileSync(`${base}.md`, reportMarkdown(rep));
  console.log(`\n${reportMarkdown(rep)}\nwrote ${base}.md and ${base}.json`);
  if (record && !sweep) writeStackCalibration(result, rep);
  if (record && sweep) writeLatencyCalibration(result);
  process.exitCode = rep.criteria.some((c) => c.id === 'healthy' && !c.pass) ? 1 : 0;
} catch (e) {
  console.error(`stack test failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
}
