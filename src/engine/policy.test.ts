import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  belowDockerMinimum, connectionsAlertAbove, connectionsLine, connectionsNearMax, exceedsLimit, freeCriterion, freeUnderCriterion, maxConnectionsAdvised,
  maxConnectionsFor, riskLevel, roundDownSize, roundUpSize, smallestTidy,
} from './policy.ts';
import { redisLimitFor } from './kinds/redis.ts';

describe('policy', () => {
  it.each([
    [1024, 500], // 500 MiB (the seed's 500MB, read as Docker reads it) is more than 12% of 1 GiB
    [4096, 500], // and more than 12% of 4 GiB (491.52 MiB)
    [8192, 0.12 * 8192], // 12% of 8 GiB (983 MiB) is more than 500 MiB
  ])('the free-memory criterion on %s MiB is %s MiB', (ram, criterion) => expect(freeCriterion(ram)).toBeCloseTo(criterion, 9));

  it('free memory exactly at the criterion meets it; a byte under does not', () => {
    const c = freeCriterion(4096);
    expect(freeUnderCriterion(c, 4096)).toBe(false);
    expect(freeUnderCriterion(c - 1 / 1048576, 4096)).toBe(true);
  });

  it('the seed\'s 45 connections at max_connections 50 reach the 90% line', () => {
    expect(connectionsLine(50)).toBeCloseTo(45, 9);
    expect(connectionsNearMax(45, 50)).toBe(true);
    expect(connectionsNearMax(44, 50)).toBe(false);
    expect(connectionsAlertAbove(50)).toBe(45);
  });

  it('maxConnectionsFor is the smallest value the peak stays under the line at; the finding advises at least that', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 1000 }), (peak, atLeast) => {
        const v = maxConnectionsFor(peak, atLeast);
        expect(v).toBeGreaterThanOrEqual(atLeast);
        expect(connectionsNearMax(peak, v)).toBe(false);
        if (v > atLeast) expect(connectionsNearMax(peak, v - 1)).toBe(true);
        expect(connectionsNearMax(peak, maxConnectionsAdvised(peak))).toBe(false);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it.each([
    [1, 8, 8], [250, 256, 248], [256, 256, 256], [1000, 1008, 992], [1025, 1088, 1024], [3, 8, 8],
  ])('tidy sizes: %s MiB rounds up to %s and down to %s', (mib, up, down) => {
    expect(roundUpSize(mib)).toBe(up);
    expect(roundDownSize(mib)).toBe(down);
  });

  it('limits: over the limit only with one, under Docker\'s 6 MiB refused', () => {
    expect(exceedsLimit(100, null)).toBe(false);
    expect(exceedsLimit(100, 99)).toBe(true);
    expect(exceedsLimit(99, 99)).toBe(false);
    expect(belowDockerMinimum(5.9)).toBe(true);
    expect(belowDockerMinimum(6)).toBe(false);
  });

  it.each([
    [{ low: 10, typical: 20, high: 30 }, 100, 0, 'low'],
    [{ low: 10, typical: 95, high: 99 }, 100, 0, 'medium'], // typical leaves under 10%
    [{ low: 10, typical: 20, high: 130 }, 100, 0.05, 'high'],
    [{ low: 10, typical: 20, high: 300 }, 100, 0.25, 'critical'],
    [{ low: 10, typical: 120, high: 300 }, 100, 0.2, 'critical'], // typical over the bound
  ] as const)('risk level of %o against %s at p %s is %s', (usage, bound, p, level) => expect(riskLevel(usage, bound, p)).toBe(level));
});

describe('smallestTidy: the stepping loops it replaced, by bisection (issue 17)', () => {
  /** The loop the kinds had: `from`, then each tidy size above it in turn. */
  const stepping = (from: number, ok: (mib: number) => boolean) => {
    let limit = from;
    while (!ok(limit)) limit = roundUpSize(limit + 1);
    return limit;
  };

  it('finds what stepping finds, for any monotone threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), fc.double({ min: 0, max: 400_000, noNaN: true }), (from, need) => {
        const ok = (mib: number) => mib >= need;
        expect(smallestTidy(from, ok)).toBe(stepping(from, ok));
      }),
      { seed: 17, numRuns: 500 },
    );
  });

  it('sizes Redis for a terabyte of data in a few dozen probes, not thousands of 64 MiB steps', () => {
    let probes = 0;
    const limit = smallestTidy(roundUpSize(1_048_576), (l) => (probes++, l >= 2.5 * 1_048_576));
    expect(limit).toBe(roundUpSize(2.5 * 1_048_576));
    expect(probes).toBeLessThan(60);
    expect(redisLimitFor(1_048_576, 'rdb')).toBeGreaterThan(1_048_576);
  });
});
