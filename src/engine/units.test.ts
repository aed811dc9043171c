import { describe, expect, it } from 'vitest';
import { coresAskedFormat, freeCoresFormat, durationFormat, msFormat, durationParse, indefiniteArticle, percentFormat, pgSizeText, redisSizeText, sizeFormat, sizePairFormat, sizeParse, sizesFormat, sizeToPlan, withArticle } from './units.ts';

describe('sizeParse', () => {
  it.each([
    ['800MiB', 800], ['800M', 800], ['800m', 800], ['800MB', 800], ['800mb', 800], ['800', 800], [800, 800],
    ['4GiB', 4096], ['4g', 4096], ['4GB', 4096], ['1.5GiB', 1536], ['512k', 0.5], ['512KiB', 0.5],
    ['1t', 1048576], ['0', 0], [' 256 MiB ', 256], ['.5g', 512], ['1048576b', 1],
  ] as const)('%s is %s MiB', (input, mib) => {
    expect(sizeParse(input)).toEqual({ ok: true, value: mib });
  });

  it.each(['512Q', '-5m', 'abc', '', '1e30', '5 m m', '1,5g', 'NaN', '0x10m', '999999999999t'])('refuses %j with a message naming the form', (input) => {
    const r = sizeParse(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/size|unit/);
  });

  it.each([-1, Number.NaN, Infinity, 1e30])('refuses the number %s', (n) => {
    expect(sizeParse(n).ok).toBe(false);
  });
});

describe('sizeFormat and sizeToPlan', () => {
  it.each([
    [800, '800 MiB'], [1950, '1.9 GiB'], [4096, '4 GiB'], [0.5, '512 KiB'], [5.25, '5 MiB'], [-100, '−100 MiB'], [Number.NaN, '—'],
    // The examples: never "491.52MiB" or "1128.66MiB".
    [491.52, '492 MiB'], [1128.66, '1.1 GiB'], [1152, '1.13 GiB'], [1023.6, '1 GiB'], [0.9999, '1 MiB'], [0, '0 MiB'], [-0.2, '−205 KiB'], [-0.0001, '0 MiB'], [Infinity, '—'],
  ])('formats %s as %s', (mib, text) => expect(sizeFormat(mib)).toBe(text));

  it.each([
    // [a, b, a's text, b's text]
    [1280, 1282, '1,280 MiB', '1,282 MiB'],
    [1280, 1280, '1.25 GiB', '1.25 GiB'],
    [300, 300.4, '300 MiB', '300.4 MiB'],
    [752.6, 753.2, '752.6 MiB', '753.2 MiB'],
    [500, 800, '500 MiB', '800 MiB'],
    [2240, 2241, '2,240 MiB', '2,241 MiB'],
    [0.5, 0.502, '512 KiB', '514 KiB'],
  ])('sizePairFormat(%s, %s) tells them apart: %s, %s', (a, b, ta, tb) => expect(sizePairFormat(a, b)).toEqual([ta, tb]));

  it('sizesFormat keeps equal sizes equal and separates the rest with the fewest decimals', () => {
    expect(sizesFormat([100, 100, 1280, 1281])).toEqual(['100 MiB', '100 MiB', '1,280 MiB', '1,281 MiB']);
    expect(sizesFormat([100, 100.05, 100.1])).toEqual(['100 MiB', '100.05 MiB', '100.1 MiB']);
    expect(sizesFormat([100, 200])).toEqual(['100 MiB', '200 MiB']);
  });

  it.each([[800, '800MiB'], [4096, '4GiB'], [1536, '1.5GiB'], [0.5, '512KiB'], [1000.5, '1000.5MiB'], [0, '0MiB']])('writes %s as %s and reads it back', (mib, text) => {
    expect(sizeToPlan(mib)).toBe(text);
    const back = sizeParse(sizeToPlan(mib));
    expect(back.ok && back.value).toBeCloseTo(mib, 3);
  });
});

describe('percentFormat', () => {
  it('writes whole percents with one minus sign, and no −0', () => {
    expect(percentFormat(0.77)).toBe('77%');
    expect(percentFormat(-0.2412)).toBe('\u221224%');
    expect(percentFormat(-0.001)).toBe('0%');
    expect(percentFormat(Number.NaN)).toBe('—');
  });
});

describe('durations', () => {
  it.each([['30s', 30], ['1m', 60], ['7d', 604800], ['1h30m', 5400], ['15d', 1296000], [45, 45]] as const)('%s is %s s', (input, s) => {
    expect(durationParse(input)).toEqual({ ok: true, value: s });
  });
  it.each(['30', 'abc', '1x', '-5s', '0s', ''])('refuses %j', (input) => expect(durationParse(input).ok).toBe(false));
  it.each([[30, '30s'], [604800, '7d'], [5400, '90m'], [0.5, '500ms']])('formats %s as %s', (s, text) => expect(durationFormat(s)).toBe(text));
});

describe('coresAskedFormat', () => {
  it('writes the cores asked, or "just over" the line when they round alike', () => {
    expect(coresAskedFormat(1.75, 1.6)).toBe('1.75');
    expect(coresAskedFormat(1.60003, 1.6)).toBe('just over 1.6');
    expect(coresAskedFormat(3.2002, 3.2)).toBe('just over 3.2');
    expect(coresAskedFormat(1.6, 1.6)).toBe('1.6');
    expect(coresAskedFormat(12.4, 12.1)).toBe('just over 12');
  });
});

describe('msFormat: one millisecond format (issue 16)', () => {
  it('whole milliseconds with a space, <1 ms under one, unbounded for a queue without end', () => {
    expect(msFormat(300.4)).toBe('300 ms');
    expect(msFormat(1234.6)).toBe('1,235 ms');
    expect(msFormat(0.2)).toBe('<1 ms');
    expect(msFormat(0)).toBe('0 ms');
    expect(msFormat(Infinity)).toBe('unbounded');
  });
});

describe('freeCoresFormat', () => {
  it('names the cores an app is left, and says when there are none rather than "0 free cores"', () => {
    expect(freeCoresFormat(0.9)).toBe('0.9 free cores');
    expect(freeCoresFormat(1)).toBe('1 free core');
    expect(freeCoresFormat(0)).toBe('no free core (the other services take the usable share)');
    expect(freeCoresFormat(0.001)).not.toMatch(/^0 /);
  });
});

describe('indefiniteArticle: "a" or "an" as the number is said (issue 16, "an 8 GiB host")', () => {
  it.each([
    ['8 GiB', 'an'], ['11 GiB', 'an'], ['18 GiB', 'an'], ['80 GiB', 'an'], ['89 MiB', 'an'], ['800 MiB', 'an'], ['8000', 'an'],
    ['8,000', 'an'], ['11,000', 'an'], ['18000', 'an'], ['11.5 GiB', 'an'], ['8.5 GiB', 'an'], ['11%', 'an'], ['AlertManager', 'an'],
    ['1 GiB', 'a'], ['4 GiB', 'a'], ['16 GiB', 'a'], ['100 MiB', 'a'], ['1.5 GiB', 'a'], ['110 GiB', 'a'], ['180 MiB', 'a'],
    ['1100', 'a'], ['1,800', 'a'], ['2 GiB', 'a'], ['0 MiB', 'a'], ['host', 'a'], ['<1%', 'a'],
  ])('%s takes "%s"', (word, article) => expect(indefiniteArticle(word)).toBe(article));

  it('withArticle puts it before the word, for every size sizeFormat writes', () => {
    expect(withArticle(sizeFormat(8192))).toBe('an 8 GiB');
    expect(withArticle(sizeFormat(4096))).toBe('a 4 GiB');
    expect(withArticle(sizeFormat(1152))).toBe('a 1.13 GiB');
    expect(withArticle(sizeFormat(800))).toBe('an 800 MiB');
  });
});

describe('server syntax: only for values a server reads', () => {
  it.each([[200, '200MB'], [1024, '1GB'], [6.25, '6400kB'], [12.5, '12800kB']] as const)('PostgreSQL: %s MiB is %s', (mib, text) => expect(pgSizeText(mib)).toBe(text));
  it.each([[104, '104mb'], [256, '256mb'], [1.5, '1536kb']] as const)('Redis: %s MiB is %s', (mib, text) => expect(redisSizeText(mib)).toBe(text));
});
