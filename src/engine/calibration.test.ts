import { describe, expect, it } from 'vitest';
import { CALIBRATION_TOLERANCE, calibrationFiles, calibrationRowOf, calibrationRows, calibrationSummary, type CalibrationCase } from './calibration.ts';

// The recorded measurements (calibration/*.json, written by `npm run calibrate` and
// `npm run stack-test -- --record`) against the
// engine as it is now: a change to a model constant that the measurements contradict fails here.

const files = calibrationFiles();
const cases = files.flatMap((f) => f.cases.map((c) => [`${f.kind}: ${c.id}`, f.kind, c] as const));
const typical = cases.filter(([, , c]) => c.role === 'typical');
const ranged = cases.filter(([, , c]) => c.role !== 'typical');

const fmt = (v: number) => v.toFixed(1);

describe('calibration data', () => {
  it('has every service kind measured, with its versions and machine', () => {
    expect(files.map((f) => f.kind).sort()).toEqual(['fastapi', 'host', 'jvm', 'kernel', 'memcached', 'mysql', 'node', 'pgbouncer', 'postgres', 'prometheus', 'proxy', 'rabbitmq', 'redis']);
    for (const f of files) {
      expect(Object.keys(f.tools).length).toBeGreaterThan(0);
      expect(f.machine.cores).toBeGreaterThan(0);
      // npm run calibrate records several loads per server; a deployment-test run (fastapi, host) one per phase.
      expect(f.cases.length).toBeGreaterThanOrEqual(f.kind === 'fastapi' || f.kind === 'host' ? 1 : 3);
    }
  });

  it('has unique case ids, and every case names a service of its plan', () => {
    const ids = cases.map(([name]) => name);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, kind, c] of cases) expect(() => calibrationRowOf(kind, c)).not.toThrow();
  });

  it('has at least one typical case per kind', () => {
    for (const f of files) expect(f.cases.some((c) => c.role === 'typical')).toBe(true);
  });
});

describe(`typical cases: the engine's typical is within ${CALIBRATION_TOLERANCE * 100}% of the measured typical, and low–high holds what was measured`, () => {
  it.each(typical)('%s', (_name, kind, c) => {
    const r = calibrationRowOf(kind, c);
    const where = `predicted ${fmt(r.predicted.low)} / ${fmt(r.predicted.typical)} / ${fmt(r.predicted.high)} MiB, measured ${fmt(r.measured.typical)} typical, ${fmt(r.measured.peak)} peak`;
    expect(Math.abs(r.errorPercent), `${r.errorPercent}% off: ${where}`).toBeLessThanOrEqual(CALIBRATION_TOLERANCE * 100);
    expect(r.predicted.low, `low above the measured typical: ${where}`).toBeLessThanOrEqual(r.measured.typical);
    expect(r.measured.peak, `measured peak above high: ${where}`).toBeLessThanOrEqual(r.predicted.high);
  });
});

describe('stress and light cases (loads past or below the typical one): the measurement lies within low–high', () => {
  it.each(ranged)('%s', (_name, kind, c) => {
    const r = calibrationRowOf(kind, c);
    const where = `predicted ${fmt(r.predicted.low)} / ${fmt(r.predicted.typical)} / ${fmt(r.predicted.high)} MiB, measured ${fmt(r.measured.typical)} typical, ${fmt(r.measured.peak)} peak`;
    expect(r.measured.peak, where).toBeLessThanOrEqual(r.predicted.high);
    expect(r.predicted.low, where).toBeLessThanOrEqual(r.measured.typical);
  });
});

describe('the calibration API', () => {
  it('rows and summaries agree', () => {
    const rows = calibrationRows();
    const summary = calibrationSummary();
    expect(rows).toHaveLength(cases.length);
    for (const s of summary) {
      const mine = rows.filter((r) => r.kind === s.kind);
      expect(s.cases).toBe(mine.length);
      expect(s.ok).toBe(mine.every((r) => r.ok));
      expect(s.maxAbsErrorPercent).toBe(Math.max(0, ...mine.filter((r) => r.role === 'typical').map((r) => Math.abs(r.errorPercent))));
    }
  });

  it('flags a case the engine misses', () => {
    const [, kind, c] = typical[0]!;
    const off: CalibrationCase = { ...c, measured: { ...c.measured, typicalMiB: c.measured.typicalMiB * 3, peakMiB: c.measured.peakMiB * 3 } };
    const r = calibrationRowOf(kind, off);
    expect(r.ok).toBe(false);
    expect(r.errorPercent).toBeLessThan(-20);
  });

  it('compares a host case with the reserve\'s Docker-engine parts only, for the containers that ran', () => {
    const host = files.find((f) => f.kind === 'host')!;
    const c = host.cases[0]!;
    const r = calibrationRowOf('host', c);
    // 7 containers and 4 published ports: dockerd 90 + containerd 42 + 7 × 5 + 4 × 3.5 (src/engine/host.ts), no kernel's 200.
    expect(c.settings.containers).toBe('7');
    expect(r.predicted.typical).toBe(181);
    const fewer = calibrationRowOf('host', { ...c, settings: { ...c.settings, containers: '3' } });
    expect(fewer.predicted.typical).toBe(161);
    expect(() => calibrationRowOf('host', { ...c, settings: { ...c.settings, containers: 'many' } })).toThrow(/settings.containers must be a whole number, got many/);
  });

  it('names the case when its plan is invalid', () => {
    const [, kind, c] = typical[0]!;
    expect(() => calibrationRowOf(kind, { ...c, plan: { host: {} } })).toThrow(new RegExp(`calibration case ${c.id}: its plan is invalid: host.ram`));
  });
});
