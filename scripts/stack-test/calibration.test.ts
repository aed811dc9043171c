// The stack test's calibration records (calibration/stack-test/fastapi-container.json, host.json, written by
// `npm run stack-test -- --record`) have the engine's calibration shape (src/engine/calibration.ts
// reads them; src/engine/calibration.test.ts checks the engine against them), every fastapi case's
// plan parses and the engine predicts its service, and what the harness measured is in them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { calibrationFileSchema } from '../../src/engine/calibration.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { planParse } from '../../src/engine/schema.ts';
import { REPO } from './plan.ts';

const schema = calibrationFileSchema.extend({ kind: z.enum(['fastapi', 'host']) });
const read = (name: string) => schema.parse(JSON.parse(readFileSync(join(REPO, 'calibration', name), 'utf8')));

describe('stack-test calibration records', () => {
  it('calibration/stack-test/fastapi-container.json: the schema, and each case\u2019s plan evaluates with the measured service in it', () => {
    expect(existsSync(join(REPO, 'calibration', 'stack-test', 'fastapi-container.json'))).toBe(true);
    const f = read('stack-test/fastapi-container.json');
    expect(f.kind).toBe('fastapi');
    for (const c of f.cases) {
      const p = planParse(c.plan);
      expect(p.ok, c.id).toBe(true);
      if (!p.ok) continue;
      const svc = evaluate(p.plan).services.find((s) => s.name === c.service);
      expect(svc?.kind, c.id).toBe('fastapi');
      expect(c.measured.typicalMiB).toBeGreaterThan(0);
      expect(c.measured.detail.workerPssMiB).toBeGreaterThan(0);
      expect(typeof c.load.loadavg1).toBe('number');
    }
  });

  it('calibration/host.json: the schema, the engine\u2019s processes measured, the kernel\u2019s share with its noise', () => {
    const f = read('host.json');
    expect(f.kind).toBe('host');
    for (const c of f.cases) {
      expect(c.measured.detail.dockerdMiB).toBeGreaterThan(0);
      expect(c.measured.detail.shims).toBeGreaterThan(0);
      expect(c.measured.detail.kernelNoiseMiB).toBeGreaterThanOrEqual(0);
      expect(planParse(c.plan).ok, c.id).toBe(true);
    }
  });
});
