import { describe, expect, it } from 'vitest';
import { evidenceParse, evidenceTextParse, evidenceToText, type Evidence } from './file.ts';

const good: Evidence = {
  format: 'headroom-evidence',
  version: 1,
  source: 'observe',
  collectedAt: '2026-12-02T05:30:00Z',
  durationSeconds: 600,
  intervalSeconds: 5,
  host: { memTotalBytes: 4_012_345_344, source: '/proc/meminfo' },
  services: [
    {
      service: 'postgres',
      containers: ['shop-postgres-1'],
      samples: [[1764653400, 257_949_696], [1764653405, 260_000_000]],
      limitBytes: 838_860_800,
      peakBytes: 301_989_888,
      anonBytes: 201_326_592,
      fileBytes: 56_623_104,
      oomKills: [{ at: '2026-12-02T05:21:13Z', container: 'shop-postgres-1' }],
      restarts: 1,
    },
  ],
};

describe('evidence file', () => {
  it('reads what it writes', () => {
    const r = evidenceTextParse(evidenceToText(good));
    expect(r).toEqual({ ok: true, evidence: good });
  });

  it('names the path and what was expected', () => {
    const bad = structuredClone(good) as unknown as { services: Array<Record<string, unknown>> };
    bad.services[0]!.samples = [[1764653400, '25MiB']];
    bad.services[0]!.oomKills = [{ at: 'yesterday', container: 'x' }];
    delete bad.services[0]!.restarts;
    const r = evidenceParse(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(expect.arrayContaining([
      { path: 'services[0].samples[0][1]', message: expect.stringContaining('whole number of bytes') },
      { path: 'services[0].oomKills[0].at', message: expect.stringContaining('ISO-8601') },
      { path: 'services[0].restarts', message: expect.stringMatching(/^required: /) },
    ]));
  });

  it('refuses unknown keys, other formats, newer versions and duplicate services', () => {
    const r1 = evidenceParse({ ...good, extra: 1 });
    expect(r1).toEqual({ ok: false, issues: [{ path: 'extra', message: 'unknown key' }] });
    const r2 = evidenceParse({ ...good, format: 'something' });
    expect(r2.ok ? [] : r2.issues[0]!.path).toBe('format');
    const r3 = evidenceParse({ ...good, version: 2 });
    expect(r3.ok ? '' : r3.issues[0]!.message).toMatch(/newer than this Headroom reads/);
    const r4 = evidenceParse({ ...good, services: [good.services[0], good.services[0]] });
    expect(r4.ok ? '' : r4.issues[0]!.message).toMatch(/duplicate service "postgres"/);
  });

  it('gives a line and column for broken JSON and says truncated', () => {
    const text = evidenceToText(good);
    const r = evidenceTextParse(text.slice(0, 200));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]!.path).toMatch(/^line \d+, column \d+$/);
    expect(r.issues[0]!.message).toMatch(/truncated/);
    const r2 = evidenceTextParse('{\n  "format": "headroom-evidence",\n  oops\n}');
    expect(r2.ok ? '' : r2.issues[0]!.path).toBe('line 3, column 3');
  });

  it('caps the issues a bad file reports', () => {
    const bad = { ...good, services: [{ ...good.services[0]!, samples: Array.from({ length: 100 }, () => ['x', 'y']) }] };
    const r = evidenceParse(bad);
    expect(r.ok ? 0 : r.issues.length).toBe(21);
    // The input policy's bound and wording (src/formats/input-policy.ts issuesBounded), as every parser.
    expect(r.ok ? '' : r.issues.at(-1)!.message).toMatch(/^… and 180 more problems/);
  });
});

describe('evidence file: OOM kills without a time', () => {
  it('takes at: null (a counted kill) but not a missing at', () => {
    const counted = { ...good, services: [{ ...good.services[0]!, oomKills: [{ at: null, container: 'shop-postgres-1' }] }] };
    expect(evidenceParse(counted).ok).toBe(true);
    const missing = { ...good, services: [{ ...good.services[0]!, oomKills: [{ container: 'shop-postgres-1' }] }] };
    const r = evidenceParse(missing);
    expect(r.ok ? '' : r.issues[0]!.path).toBe('services[0].oomKills[0].at');
  });
});
