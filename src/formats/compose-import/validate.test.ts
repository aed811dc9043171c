/**
 * The corpus and its round-trip edits, read by the real validators: the current compose-spec
 * JSON schema (shipped in dclint) for every file, and docker-compose 1.29 (`config -q`) for the
 * files its older format accepts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { composeEdit, composeImport } from './index.ts';
import { evaluate } from '../../engine/evaluate.ts';
import { applyChange } from '../../engine/change.ts';
import { planParse, type PlanInput } from '../../engine/schema.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
/**
 * docker-compose 1.29 predates parts of the compose spec: it refuses the top-level `name:`,
 * `configs.*.content` and `depends_on.*.restart`, and checks that build folders exist.
 */
const V1_REFUSES: Record<string, string> = {
  '01-fastapi-template.yml': 'depends_on.restart and missing build folders',
  '03-selfhosted-app.yml': 'the top-level name: key',
  '04-monitoring.yml': 'configs.content',
  '11-variants.yml': 'configs.content',
  '12-no-limits.yml': 'missing build folders',
  '14-postgres-conf.yml': 'configs.content',
};

function corpus(file: string) {
  const envPath = join(DIR, file.replace(/\.yml$/, '.env'));
  const envText = existsSync(envPath) ? readFileSync(envPath, 'utf8') : undefined;
  const readFile = (p: string) => (p === '.env' ? envText : existsSync(join(DIR, p)) ? readFileSync(join(DIR, p), 'utf8') : undefined);
  return { text: readFileSync(join(DIR, file), 'utf8'), envPath: existsSync(envPath) ? envPath : null, options: { envText, readFile } };
}

/** The corpus file with every finding's fix applied and written back. */
function edited(file: string): string {
  const { text, options } = corpus(file);
  const r = composeImport(text, options);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  let input: PlanInput = r.input;
  for (const f of evaluate(r.plan).findings) for (const c of f.fix.changes) input = applyChange(input, c);
  const plan = planParse(input);
  if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
  const e = composeEdit(text, plan.plan, options);
  if (!e.ok) throw new Error(JSON.stringify(e.issues));
  return e.text;
}

describe('compose-spec schema (dclint\'s copy, ajv)', () => {
  const schema = JSON.parse(readFileSync('node_modules/dclint/schemas/compose.schema.json', 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  it.each(FILES)('%s and its edit are valid compose files', (file) => {
    for (const text of [corpus(file).text, edited(file)]) {
      const ok = validate(parse(text, { merge: true }));
      expect(validate.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
    }
  });
});

describe('docker-compose 1.29 config -q', () => {
  const found = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  it('is installed', () => {
    expect(found.error, 'docker-compose is missing: apt-get install -y --no-install-recommends docker-compose').toBeUndefined();
  });
  it.each(FILES.filter((f) => !V1_REFUSES[f]))('accepts %s and its edit', (file) => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-compose-'));
    const { envPath } = corpus(file);
    if (envPath) copyFileSync(envPath, join(dir, '.env'));
    mkdirSync(join(dir, 'files'), { recursive: true });
    for (const [name, text] of [['original.yml', corpus(file).text], ['edited.yml', edited(file)]] as const) {
      writeFileSync(join(dir, name), text);
      const r = spawnSync('docker-compose', ['-f', name, 'config', '-q'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(`${r.stderr}`.split('\n').filter((l) => /error|invalid|unsupported/i.test(l)), `${file} ${name}`).toEqual([]);
      expect(r.status, `${file} ${name}: ${r.stderr}`).toBe(0);
    }
  });
  it('lists why each other corpus file is not given to it', () => {
    expect(Object.keys(V1_REFUSES).every((f) => FILES.includes(f))).toBe(true);
  });
});
