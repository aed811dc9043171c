import { describe, expect, it } from 'vitest';
import { presetGet, type PlanInput } from '../../engine/index.ts';
import { base64urlDecode, base64urlEncode, shareDecode, shareEncode, shareParam, shareUrl } from './share.ts';

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
