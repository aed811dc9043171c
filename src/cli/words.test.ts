/**
 * The CLI's text for people (plan, check, capacity, compare and their Markdown) says nothing in
 * Headroom's internal words (test/internal-words.ts: finding ids, the brief's "seed", source
 * paths, plan-file keys outside an instruction). The JSON, SARIF and JUnit keep the ids; a
 * plan-file key is fine where the text tells the user which key to set ("in the plan file, set
 * features.pgbouncer: true"). Over the presets and every compose file of test/corpus.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cliHarness } from './testing.ts';
import { internalWords } from '../../test/internal-words.ts';
import { corpusManifest } from '../../test/corpus/survey.ts';
import { PRESET_NAMES } from '../engine/presets.ts';

const h = cliHarness('words');
beforeAll(() => h.build());

/** The instructions that name a plan-file key on purpose, taken out before the scan. */
const INSTRUCTIONS = [/in the plan file, set .*$/, /its usage stated in the plan \([^)]*\)/];
const scan = (text: string) => internalWords(text.split('\n').map((l) => INSTRUCTIONS.reduce((t, re) => t.replace(re, ''), l)).join('\n'));

/** The corpus's compose files that import (manifest.json), and the variables their docs have users set, for one run. */
function corpus(): { files: string[]; env: Record<string, string> } {
  const entries = corpusManifest().entries.filter((e) => e.expect === 'imports');
  return {
    files: entries.map((e) => join('test/corpus', e.id, e.compose)),
    env: Object.assign({}, ...entries.map((e) => e.environment ?? {})) as Record<string, string>,
  };
}

describe('no internal words in the CLI text', () => {
  it.each(PRESET_NAMES)('preset %s: plan (text and Markdown), capacity', (name) => {
    for (const args of [['plan', '--preset', name], ['plan', '--preset', name, '--format', 'markdown'], ['capacity', '--preset', name]]) {
      const r = h.run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(scan(r.out), args.join(' ')).toEqual([]);
    }
  });

  it('compare of two presets', () => {
    expect(scan(h.run(['compare', '4gb', 'full']).out)).toEqual([]);
  });

  it('check of every corpus compose file (text and Markdown)', () => {
    const { files, env } = corpus();
    expect(files.length).toBeGreaterThan(30);
    for (const format of ['text', 'markdown']) {
      const r = h.run(['check', ...files, '--format', format], { env: { ...env, HOME: process.env.HOME ?? '' } });
      // A file whose .env the docs have users copy first may stop on a required variable (exit 2): the rest are read.
      expect([0, 1, 2, 3], format).toContain(r.code);
      const checked = (r.out.match(format === 'text' ? /^Headroom check: /gm : /^### .* Headroom check: /gm) ?? []).length;
      expect(checked, format).toBeGreaterThan(30);
      expect(scan(r.out), format).toEqual([]);
      // A compose file's user has no plan file: its fixes are said in the compose file's keys (fix-words.ts).
      expect(r.out, format).not.toMatch(/plan file/);
      expect(r.out, format).toMatch(format === 'text' ? / line \d+: services\.[\w.-]+\.mem_limit: \d+m \(added\)/ : / line \d+: services\.[\w.-]+\.mem\\_limit: \d+m \\\(added\\\)/);
    }
  });

  it('the scan finds what it looks for (a finding id, the seed, a key outside an instruction)', () => {
    expect(scan('✖ critical redis-fork-headroom [redis]')).toHaveLength(1);
    expect(scan("critical ones may go unnoticed (the seed's risk #2)")).toHaveLength(1);
    expect(scan('fix: Turn on pgBouncer (features.pgbouncer: true)')).toHaveLength(1);
    expect(scan('         in the plan file, set features.pgbouncer: true')).toEqual([]);
    expect(scan('fix: Set postgres maxConnections to 51.')).toHaveLength(1);
    expect(scan('fix: Set postgres max_connections to 51.')).toEqual([]);
    expect(scan('free memory −1.41 GiB (-35%)')).toHaveLength(1);
    expect(scan('free memory −1.41 GiB (−35%), -Xmx512m, -c 100, 2-12 MiB')).toEqual([]);
  });
});
