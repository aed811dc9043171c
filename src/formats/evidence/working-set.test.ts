/** The working-set rule, and its two callers (observe's Docker stats reading, cgroup files) agreeing on it. */
import { describe, expect, it } from 'vitest';
import { workingSetBytes } from './working-set.ts';
import { cgroupToEvidence } from './cgroup.ts';
import { readingOf } from '../../cli/observe-evidence.ts';

const MiB = 1024 * 1024;

describe('workingSetBytes', () => {
  it('usage − total_inactive_file on v1 (the hierarchy\'s, like usage_in_bytes), − inactive_file on v2', () => {
    expect(workingSetBytes(300 * MiB, { total: 40 * MiB, own: 1 })).toBe(260 * MiB);
    expect(workingSetBytes(300 * MiB, { own: 10 * MiB })).toBe(290 * MiB);
  });

  it('the usage itself when there is no inactive figure, or it is not below the usage (never 0)', () => {
    expect(workingSetBytes(300 * MiB, {})).toBe(300 * MiB);
    expect(workingSetBytes(5 * MiB, { own: 9 * MiB })).toBe(5 * MiB);
    expect(workingSetBytes(5 * MiB, { total: 5 * MiB })).toBe(5 * MiB);
    expect(workingSetBytes(5 * MiB, { own: Number.NaN })).toBe(5 * MiB);
  });
});

describe('observe and cgroup files read the same working set from the same figures', () => {
  const cases: Array<[string, number, Record<string, number>]> = [
    ['v2', 500 * MiB, { inactive_file: 100 * MiB, anon: 300 * MiB, file: 200 * MiB }],
    ['v1 with both inactive figures', 300 * MiB, { total_inactive_file: 50 * MiB, inactive_file: 7 * MiB, total_rss: 200 * MiB, total_cache: 100 * MiB }],
    ['inactive over the usage (a racy read)', 5 * MiB, { inactive_file: 9 * MiB }],
    ['no inactive figure', 64 * MiB, { anon: 60 * MiB }],
  ];
  it.each(cases)('%s', (_, usage, stat) => {
    const fromDocker = readingOf({ read: '2026-12-02T05:30:00Z', memory_stats: { usage, limit: 1024 * MiB, stats: stat } })!.workingSet;
    const v1 = 'total_inactive_file' in stat;
    const files = {
      [v1 ? 'memory.usage_in_bytes' : 'memory.current']: `${usage}\n`,
      'memory.stat': Object.entries(stat).map(([k, v]) => `${k} ${v}`).join('\n'),
    };
    const r = cgroupToEvidence({ format: 'headroom-cgroup-files', collectedAt: '2026-12-02T05:30:00Z', containers: [{ container: 'c1', service: 'app', files }] }, [{ name: 'app' }]);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const fromFiles = r.evidence.services[0]!.samples[0]![1];
    expect(fromFiles).toBe(fromDocker);
    expect(fromDocker).toBe(workingSetBytes(usage, { total: stat.total_inactive_file, own: stat.inactive_file }));
  });
});
