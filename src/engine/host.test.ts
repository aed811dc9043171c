import { describe, expect, it } from 'vitest';
import { kernelAndSystemMiB } from './host.ts';

describe('the kernel and system by host RAM (measured in VMs, calibration/kernel.json)', () => {
  it('gives the measured figures at a measured size, and the 512 MiB ones under it', () => {
    expect(kernelAndSystemMiB(4096)).toEqual({ low: 395, typical: 496, high: 558 });
    expect(kernelAndSystemMiB(256)).toEqual(kernelAndSystemMiB(512));
  });

  it('is linear between two measured sizes, and carries the last slope on past 16 GiB', () => {
    const mid = kernelAndSystemMiB(3584);
    expect(mid.typical).toBeCloseTo((331 + 496) / 2, 6);
    // 32 GiB: 16 GiB's 748 plus twice the 8 → 16 GiB rise (748 − 584).
    expect(kernelAndSystemMiB(32768).typical).toBeCloseTo(748 + 2 * (748 - 584), 6);
    // The same rise at each end: 16 GiB's low and high plus it.
    expect(kernelAndSystemMiB(32768).low).toBeCloseTo(655 + 2 * (748 - 584), 6);
    expect(kernelAndSystemMiB(32768).high).toBeCloseTo(810 + 2 * (748 - 584), 6);
  });

  it('never falls as RAM grows, and keeps low ≤ typical ≤ high at every size', () => {
    let was = kernelAndSystemMiB(128);
    for (let ram = 256; ram <= 1 << 20; ram += ram < 65536 ? 256 : 65536) {
      const r = kernelAndSystemMiB(ram);
      expect(r.low, `${ram} MiB`).toBeLessThanOrEqual(r.typical);
      expect(r.typical, `${ram} MiB`).toBeLessThanOrEqual(r.high);
      for (const k of ['low', 'typical', 'high'] as const) expect(r[k], `${k} at ${ram} MiB`).toBeGreaterThanOrEqual(was[k]);
      was = r;
    }
  });
});
