import { describe, expect, it } from 'vitest';
import { presetGet, type PlanInput } from '../../engine/index.ts';
import { base64urlEncode, shareDecode, shareEncode, shareParam, shareUrl } from './share.ts';
import { base64urlDecode } from './share-unpack.ts';
import { jobRun } from '../import/jobs.ts';

describe('share link', () => {
  it.each(['4gb', 'full', '8gb'] as const)('round-trips the %s preset', async (name) => {
    const encoded = await shareEncode(presetGet(name));
    expect(encoded).toMatch(/^plan=[A-Za-z0-9_-]+$/);
    expect(await shareDecode(shareParam(`#${encoded}`)!)).toEqual({ ok: true, input: { ...presetGet(name), version: 2 } });
  });

  it('keeps a 100-service plan short enough for a URL', async () => {
    const plan: PlanInput = { ...presetGet('4gb'), services: Array.from({ length: 100 }, (_, i) => ({ name: `svc-${i}`, kind: 'generic' as const, limit: '128MiB' })) };
    expect((await shareEncode(plan)).length).toBeLessThan(2000);
  });

  it('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
  });

  it.each([
    ['characters outside the alphabet', 'abc$%', 'characters'],
    ['bytes that do not inflate', 'AAAA', 'damaged'],
  ])('refuses %s', async (_what, param, reason) => {
    const r = await shareDecode(param);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('refuses a link whose plan does not validate, naming the path', async () => {
    const bad = await shareEncode({ host: { ram: '4GiB' }, services: [{ name: 'x', kind: 'redis', limit: '-5' }] } as PlanInput);
    const r = await shareDecode(shareParam(`#${bad}`)!);
    expect(!r.ok && r.reason).toContain('services[0].limit');
  });

  it('builds the URL from the page address without its old hash', async () => {
    expect(await shareUrl('http://h/app/#plan=old', presetGet('4gb'))).toMatch(/^http:\/\/h\/app\/#plan=[^#]+$/);
    expect(shareParam('#other=1')).toBeNull();
  });
});

describe('share links are inflated under the input policy (issue 17)', () => {
  it('a link that inflates past 4 MiB is stopped there, with the right reason', async () => {
    const { deflateSync } = await import('fflate');
    // 64 MiB of spaces before a plan: deflates to ~64 kB, the real bomb's shape at 1/16 the size.
    const bomb = new Uint8Array(64 * 1024 * 1024 + 2).fill(0x20);
    bomb.set([0x7b, 0x7d], 64 * 1024 * 1024);
    const param = base64urlEncode(deflateSync(bomb, { level: 9 }));
    const t0 = performance.now();
    const r = await shareDecode(param);
    expect(r).toEqual({ ok: false, reason: 'the link holds more than 4 MiB of plan once unpacked, more than any plan; it was not opened' });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('a damaged link is still called damaged', async () => {
    expect(await shareDecode('AAAA')).toEqual({ ok: false, reason: 'the link is cut short or damaged' });
  });

  it('a link nested 100,000 deep is refused by the policy\'s depth bound, quickly (it hung the page: a path copied at every level)', async () => {
    const { deflateSync, strToU8 } = await import('fflate');
    const param = base64urlEncode(deflateSync(strToU8(`{"host":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), { level: 9 }));
    const t0 = performance.now();
    expect(await shareDecode(param)).toEqual({ ok: false, reason: "the link's plan: nested more than 64 levels deep; expected a plan or compose file (a few levels)" });
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('a link that unpacks to text that is not JSON says so, not "damaged"', async () => {
    const { deflateSync, strToU8 } = await import('fflate');
    expect(await shareDecode(base64urlEncode(deflateSync(strToU8('host: {ram: 4GiB}'))))).toEqual({ ok: false, reason: 'the link unpacks to something that is not a plan (not JSON)' });
  });
});

describe('a share link is unpacked by the import worker\'s job (issue 17: off the page\'s thread)', () => {
  it('the share job gives the bounded data of a good link, and the reason of a bad one, as plain data a worker can post', async () => {
    const { deflateSync, strToU8 } = await import('fflate');
    const plan = { host: { ram: '4GiB' }, services: [{ name: 'db', kind: 'postgres', limit: '1GiB' }] };
    const good = jobRun({ type: 'share', param: base64urlEncode(deflateSync(strToU8(JSON.stringify(plan)))) });
    expect(good).toEqual({ ok: true, doc: plan });
    expect(structuredClone(good)).toEqual(good);
    const bomb = base64urlEncode(deflateSync(new Uint8Array(8 * 1024 * 1024).fill(0x20), { level: 9 }));
    expect(jobRun({ type: 'share', param: bomb })).toEqual({ ok: false, reason: 'the link holds more than 4 MiB of plan once unpacked, more than any plan; it was not opened' });
    expect(jobRun({ type: 'share', param: 'AAAA-not-a-plan!' })).toEqual({ ok: false, reason: 'the link contains characters a share link never has' });
  });

  it('a link longer than the byte cap is refused before any unpacking', async () => {
    const t0 = performance.now();
    expect(await shareDecode('A'.repeat(4 * 1024 * 1024 + 1))).toEqual({ ok: false, reason: 'the link holds more than 4 MiB of plan once unpacked, more than any plan; it was not opened' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
