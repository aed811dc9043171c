/** Writes one calibration data file: calibration/<service>.json, checked against the schema the engine reads. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calibrationFileSchema, type CalibrationCase, type CalibrationFile } from '../../src/engine/calibration.ts';
import { planParse, type PlanInput } from '../../src/engine/index.ts';
import { exportFiles } from '../../src/formats/export/index.ts';
import { machineFacts } from './machine.ts';

/** The plan, validated: the harness only runs what the engine accepts. */
export function planChecked(input: PlanInput) {
  const r = planParse(input);
  if (!r.ok) throw new Error(`calibration plan is invalid: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return r.plan;
}

/** The text of one exported file of the plan (exportFiles, as `headroom export` writes it). */
export function exportedFile(input: PlanInput, path: string): string {
  const files = exportFiles(planChecked(input));
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`the export has no ${path} (it has ${files.map((x) => x.path).join(', ')})`);
  return f.content;
}

export function writeCalibration(path: string, data: Omit<CalibrationFile, 'version' | 'machine' | 'cases'>, cases: CalibrationCase[]): void {
  const file: CalibrationFile = { version: 1, ...data, machine: machineFacts(), cases };
  const checked = calibrationFileSchema.parse(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(checked, null, 2) + '\n');
  console.log(`wrote ${path} (${cases.length} cases)`);
}
