/**
 * The share link: the plan file as JSON, deflated with fflate, base64url in the URL hash
 * (`#plan=…`). The hash never reaches a server, and opening the link validates it like a file.
 * fflate loads only when a link is made or opened, keeping it out of the first load.
 */
import type { PlanInput } from '../../engine/schema.ts';
import { planCheck } from './persist.ts';

const PARAM = 'plan';

/** Bytes to base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (padded or not) to bytes; throws on characters outside the alphabet. */
export function base64urlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new Error('the link contains characters a share link never has');
  const bin = atob(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The hash fragment (without `#`) that carries `input`. */
export async function shareEncode(input: PlanInput): Promise<string> {
  const { deflateSync, strToU8 } = await import('fflate');
  return `${PARAM}=${base64urlEncode(deflateSync(strToU8(JSON.stringify(input)), { level: 9 }))}`;
}

/** The encoded plan in a location hash, or null when the hash carries none. */
export function shareParam(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get(PARAM);
}

/** Decodes and validates a shared plan; never throws. */
export async function shareDecode(param: string): Promise<{ ok: true; input: PlanInput } | { ok: false; reason: string }> {
  const { inflateSync, strFromU8 } = await import('fflate');
  let doc: unknown;
  try {
    doc = JSON.parse(strFromU8(inflateSync(base64urlDecode(param))));
  } catch (e) {
    return { ok: false, reason: e instanceof Error && e.message.startsWith('the link') ? e.message : 'the link is cut short or damaged' };
  }
  const checked = planCheck(doc);
  return checked.status === 'ok' ? { ok: true, input: checked.input } : { ok: false, reason: checked.reason };
}

/** A full link to this page that opens `input`. */
export async function shareUrl(pageUrl: string, input: PlanInput): Promise<string> {
  return `${pageUrl.replace(/#.*$/, '')}#${await shareEncode(input)}`;
}
