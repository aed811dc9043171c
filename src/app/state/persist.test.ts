import { describe, expect, it } from 'vitest';
import { presetGet } from '../../engine/index.ts';
import { STORAGE_CORRUPT_KEY, STORAGE_KEY, storageLoad, storageSave, storageSetAside } from './persist.ts';

function fakeStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe('localStorage', () => {
  it('round-trips a plan', () => {
    const s = fakeStorage();
    storageSave(s, presetGet('full'));
    expect(storageLoad(s)).toEqual({ status: 'ok', input: { ...presetGet('full'), version: 3 } });
  });

  it('is empty on a first visit or when storage is refused', () => {
    expect(storageLoad(fakeStorage()).status).toBe('empty');
    expect(storageLoad(null).status).toBe('empty');
    const throwing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(storageLoad(throwing).status).toBe('empty');
    expect(() => storageSave(throwing, presetGet('4gb'))).not.toThrow();
  });

  it.each([
    ['not JSON', '{oops', 'not valid JSON'],
    ['another envelope', '{"version":7,"plan":{}}', 'not a Headroom v1 entry'],
    ['a plan that does not validate', JSON.stringify({ version: 1, plan: { host: { ram: '4Q' }, services: [] } }), 'host.ram'],
    ['null', 'null', 'not a Headroom v1 entry'],
  ])('reports %s as corrupt, with the reason', (_what, raw, reason) => {
    const r = storageLoad(fakeStorage({ [STORAGE_KEY]: raw }));
    expect(r.status).toBe('corrupt');
    expect(r.status === 'corrupt' && r.reason).toContain(reason);
  });

  it('sets an unreadable entry aside before it is overwritten', () => {
    const s = fakeStorage({ [STORAGE_KEY]: '{oops' });
    storageSetAside(s);
    expect(s.data.get(STORAGE_CORRUPT_KEY)).toBe('{oops');
  });
});
