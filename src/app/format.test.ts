import { describe, expect, it } from 'vitest';
import { cpuInUseText, defaultCpusText, deltaText, rangeText, sizeAxis, vcpusText } from './format.ts';
import { defaultCpus, GIB_PER_VCPU } from '../engine/cpu.ts';

describe('CPU texts', () => {
  it('say vCPUs in the singular and plural, and the default with its rule', () => {
    expect(vcpusText(1)).toBe('1 vCPU');
    expect(vcpusText(0.5)).toBe('0.5 vCPU');
    expect(vcpusText(4)).toBe('4 vCPUs');
    expect(defaultCpusText(defaultCpus(4096), GIB_PER_VCPU)).toBe('2 (default: 1 vCPU per 2 GiB)');
    expect(defaultCpusText(defaultCpus(16384), GIB_PER_VCPU)).toBe('8 (default: 1 vCPU per 2 GiB)');
    expect(cpuInUseText({ typical: 0.35333, high: 0.53 }, 2)).toBe('0.35 typical / 0.53 high of 2 vCPUs');
  });

  it('never print NaN', () => {
    expect(`${vcpusText(NaN)} ${defaultCpusText(NaN, NaN)} ${cpuInUseText({ typical: NaN, high: Infinity }, NaN)}`).not.toMatch(/NaN|Infinity/);
  });
});

describe('sizeAxis', () => {
  it.each([
    // [max MiB, tick labels]
    [4096, ['0', '1 GiB', '2 GiB', '3 GiB', '4 GiB']],
    [8192, ['0', '2 GiB', '4 GiB', '6 GiB', '8 GiB']],
    [16384, ['0', '4 GiB', '8 GiB', '12 GiB', '16 GiB']],
    [1200, ['0', '0.5 GiB', '1 GiB', '1.5 GiB']],
    [1802, ['0', '0.5 GiB', '1 GiB', '1.5 GiB', '2 GiB']],
    [900, ['0', '250 MiB', '500 MiB', '750 MiB', '1000 MiB']],
    [5950, ['0', '2 GiB', '4 GiB', '6 GiB']],
    [300, ['0', '100 MiB', '200 MiB', '300 MiB']],
    [0, ['0', '1 MiB']],
  ] as const)('%s MiB: %j', (max, labels) => {
    const axis = sizeAxis(max);
    expect(axis.ticks.map(axis.label)).toEqual(labels);
    expect(axis.maxMiB).toBeGreaterThanOrEqual(max);
    expect(axis.ticks.at(-1)).toBe(axis.maxMiB);
  });

  it('never writes "0 MiB" on a GiB axis, nor more decimals than two', () => {
    for (let max = 1024; max < 70_000; max += 97) {
      const a = sizeAxis(max);
      const labels = a.ticks.map(a.label);
      expect(labels[0]).toBe('0');
      for (const l of labels.slice(1)) expect(l).toMatch(/^\d+(\.\d{1,2})? GiB$/);
      expect(a.ticks.length).toBeLessThanOrEqual(6);
    }
  });
});

describe('rangeText and deltaText', () => {
  it('writes the unit once when the three share it, and keeps different sizes apart', () => {
    expect(rangeText({ low: 250, typical: 380, high: 500 })).toBe('250–380–500 MiB');
    expect(rangeText({ low: 127, typical: 242, high: 1128.66 })).toBe('127 MiB – 242 MiB – 1.1 GiB');
    expect(rangeText({ low: 1280, typical: 1282, high: 2048 })).toBe('1,280–1,282–2,048 MiB');
  });
  it('signs changes with one minus sign', () => {
    expect(deltaText(-180)).toBe('\u2212180 MiB');
    expect(deltaText(12)).toBe('+12 MiB');
  });
});
