/**
 * The CLI's text for people (plan, check, capacity, compare and their Markdown) says nothing in
 * Headroom's internal words (test/internal-words.ts: finding ids, the brief's "seed", source
 * paths, plan-file keys outside an instruction). The JSON, SARIF and JUnit keep the ids; a
 * plan-file key is fine where the text tells the user which key to set ("in the plan file, set
 * features.pgbouncer: true"). Over the presets and every compose file of test/corpus.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './testing.ts';
import { gluedSizes, internalWords } from '../../test/internal-words.ts';
import { corpusManifest } from '../../test/corpus/survey.ts';
import { PRESET_NAMES } from '../engine/presets.ts';

const h = cliHarness('words');
beforeAll(() => h.build());

/** The instructions that name a plan-file key on purpose, taken out before the scan. */
const INSTRUCTIONS = [/in the plan file, set .*$/, /its usage stated in the plan \([^)]*\)/];
const scan = (text: string) => internalWords(text.split('\n').map((l) => INSTRUCTIONS.reduce((t, re) => t.replace(re, ''), l)).join('\n'));

/** Values, not prose: the plan-file instructions and a command's size argument (`--host 8GiB`). */
const VALUES = [...INSTRUCTIONS, /--(?:host|tiers) \S+/g];
const sizes = (text: string) => gluedSizes(text.split('\n').map((l) => VALUES.reduce((t, re) => t.replace(re, ''), l)).join('\n'));

/**
 * The prose of an exported file: its comments (a `#` line; in the alert rules also the summary
 * and description a person reads), or all of the runbook but its commands. Config value lines
 * are the server's own syntax and stay out.
 */
function prose(name: string, text: string): string {
  const lines = text.split('\n');
  if (name.endsWith('.md')) {
    let code = false;
    return lines.filter((l) => (l.startsWith('```') ? ((code = !code), false) : !code)).join('\n');
  }
  return lines.filter((l) => /^\s*#/.test(l) || (/alerts/.test(name) && /^\s*(?:summary|description):/.test(l))).join('\n');
}

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
      expect(sizes(r.out), format).toEqual([]);
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

describe('one size format in the CLI text and the exported files (issue 16)', () => {
  it.each(PRESET_NAMES)('preset %s: plan, capacity, export --tuned and the comments of every file it writes', (name) => {
    for (const args of [['plan', '--preset', name], ['plan', '--preset', name, '--format', 'markdown'], ['capacity', '--preset', name]]) {
      const r = h.run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(sizes(r.out), args.join(' ')).toEqual([]);
    }
    const out = join(h.dir, `export-${name}`);
    const r = h.run(['export', '--preset', name, '--tuned', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(sizes(r.out)).toEqual([]);
    const files = readdirSync(out);
    expect(files).toContain('RUNBOOK.md');
    for (const f of files) expect(sizes(prose(f, readFileSync(join(out, f), 'utf8'))), f).toEqual([]);
  });

  it('fit of corpus compose files on a host too small for them ("an 8 GiB host holds it")', () => {
    const { files } = corpus();
    for (const file of files.slice(0, 3)) {
      const r = h.run(['fit', file, '--host', '1GiB']);
      expect([0, 1, 2, 3], `${file}: ${r.err}`).toContain(r.code);
      expect(sizes(`${r.out}\n${r.err}`), file).toEqual([]);
      expect(`${r.out}\n${r.err}`, file).not.toMatch(/\ba (?:8|11|18)\b|\ban (?:1|4|16)\b/);
    }
  });

  it('the scan finds what it looks for, and leaves values in the server\'s syntax', () => {
    expect(sizes('# Headroom recommends at most 104MiB: 35% of the 300MB limit')).toHaveLength(2);
    expect(sizes('# lowered from 200MB so that it fits the 800MB limit (a 1152MB limit would keep 200MB)')).toHaveLength(1);
    expect(sizes('The host should keep 500 MiB available (max(500MB, 12% of RAM)).')).toHaveLength(1);
    expect(sizes('| LowDiskSpace | critical | < 10% free, or / < 384.52MiB |')).toHaveLength(1);
    expect(sizes('# Headroom recommends at most 104mb: 35% of the 300 MiB limit')).toEqual([]);
    expect(sizes('# Each of autovacuum_max_workers may use this much: 3 × 16MB in the budget.')).toEqual([]);
    expect(sizes('# shared_buffers/32 within [64kB, 16MB]: what -1 picks, written out.')).toEqual([]);
    expect(sizes('         in the plan file, set limit: 640MiB on fastapi')).toEqual([]);
    expect(sizes('a 2 GiB host holds it (fit --host 2GiB)')).toEqual([]);
    expect(prose('postgresql.conf', '# the 800MB limit\nshared_buffers = 200MB')).toBe('# the 800MB limit');
    expect(prose('RUNBOOK.md', 'keep 500MB\n```bash\nfree -h --si 500MB\n```')).toBe('keep 500MB');
  });
});
