/**
 * One verdict (issue 11): `check --json`, `plan --json` and the page's header say the same pass,
 * fail or cannot tell, on every preset and every corpus file (test/corpus/manifest.json). The plan
 * reaches the page as a share link (the hash the Share button writes) and the CLI as a plan file;
 * a corpus file is imported as the CLI imports it (its `.env`, its mounted files, its host).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test, expect } from './fixtures.ts';
import { cliHarness } from '../src/cli/testing.ts';
import { composeImport } from '../src/formats/compose-import/index.ts';
import { PRESET_NAMES, presetGet, type PlanInput, type Report } from '../src/engine/index.ts';
import { verdictInWords } from '../src/engine/verdict.ts';
import { shareEncode } from '../src/app/state/share.ts';
import { manifestSchema } from '../test/corpus/manifest.ts';

const CORPUS = resolve('test/corpus');
const entries = manifestSchema.parse(JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8'))).entries.filter((e) => e.expect === 'imports');
const cli = cliHarness('verdict-e2e');
const EXIT = { pass: 0, fail: 1, 'cannot-tell': 3 } as const;

test.describe.configure({ mode: 'parallel' });
test.beforeAll(() => cli.build());
test.afterAll(() => rmSync(cli.dir, { recursive: true, force: true }));

/** A corpus entry imported the way src/cli/compose.ts imports it, from a private copy of its folder. */
function corpusPlan(entry: (typeof entries)[number]): PlanInput {
  const root = mkdtempSync(join(tmpdir(), 'headroom-verdict-'));
  try {
    const dest = join(root, entry.id);
    cpSync(join(CORPUS, entry.id), dest, { recursive: true });
    for (const [to, from] of Object.entries(entry.as ?? {})) cpSync(join(dest, from), join(dest, to));
    const file = join(dest, entry.compose);
    const dir = dirname(file);
    const side = (p: string) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined);
    const r = composeImport(readFileSync(file, 'utf8'), { envText: side(join(dir, '.env')), environment: { PWD: dir, ...(entry.environment ?? {}) }, readFile: (p) => side(resolve(dir, p)), host: entry.host });
    if (!r.ok) throw new Error(`${entry.id}: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return r.input;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const cases: Array<[string, () => PlanInput]> = [
  ...PRESET_NAMES.map((n) => [`preset ${n}`, () => presetGet(n)] as [string, () => PlanInput]),
  ...entries.map((e) => [`corpus ${e.id}`, () => corpusPlan(e)] as [string, () => PlanInput]),
];

for (const [name, planInput] of cases) {
  test(`${name}: check --json, plan --json and the page's header give one verdict`, async ({ planner }) => {
    // Two CLI runs (~2 s each measured here, 6–10 s with the machine shared) and a page load of up to 57 services.
    test.slow();
    const input = planInput();
    const file = cli.file(`${name.replace(/\W+/g, '-')}.json`, JSON.stringify(input));
    const check = cli.run(['check', file, '--json']);
    const plan = cli.run(['plan', file, '--json']);
    expect(plan.code, plan.err).toBe(0);
    const c = JSON.parse(check.out) as { verdict: { outcome: keyof typeof EXIT; summary: string }; check: { outcome: string; exitCode: number } };
    const p = JSON.parse(plan.out) as Report & { verdict: { outcome: string; summary: string } };
    expect(check.code).toBe(EXIT[c.verdict.outcome]);
    expect(c.check.outcome).toBe(c.verdict.outcome);
    expect(p.verdict).toEqual(c.verdict);
    await planner.open(`/#${await shareEncode(input)}`);
    const header = planner.page.getByTestId('verdict');
    await expect(header).toHaveAttribute('data-outcome', c.verdict.outcome);
    // The JSON names findings by id; the page says the same verdict in an operator's words (the
    // engine's verdictInWords of the very report plan --json printed), and no id.
    const words = verdictInWords(p).summary;
    const critical = p.findings.filter((x) => x.severity === 'critical');
    if (!critical.some((f) => c.verdict.summary.includes(f.id))) expect(words).toBe(c.verdict.summary);
    await expect(header.getByTestId('verdict-summary')).toHaveText(words);
    for (const f of critical) expect(words).not.toContain(f.id);
    // Never a pass beside a critical finding (every plan has one finding at least: single-host).
    await expect(planner.findings.first()).toBeVisible();
    if (c.verdict.outcome === 'pass') await expect(planner.findings.locator('[data-level="critical"]')).toHaveCount(0);
    else if (c.verdict.outcome === 'fail') await expect(planner.findings.locator('[data-level="critical"]').first()).toBeVisible();
  });
}

