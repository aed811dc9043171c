/**
 * The share link: the plan file as JSON, deflated with fflate, base64url in the URL hash
 * (`#plan=…`). The hash never reaches a server, and opening the link validates it like a file.
 * fflate loads only when a link is made or opened, keeping it out of the first load.
 */
import type { PlanInput } from '../../engine/schema.ts';
import { planCheck } from './persist.ts';
import { INPUT_LIMITS } from '../../formats/input-limits.ts';
import { dataBoundsIssue } from '../../formats/data-bounds.ts';

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

/** Thrown from the inflater's callback to stop it at the cap. */
class TooBig extends Error {}

/**
 * The link's bytes inflated, stopping as soon as they pass the input policy's byte cap (issue 17:
 * a 1.3 MB link inflated to 1 GB and left the page blank for 39 s at ~3.9 GB).
 */
async function inflateCapped(bytes: Uint8Array): Promise<Uint8Array> {
  const { Inflate } = await import('fflate');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > INPUT_LIMITS.maxBytes) throw new TooBig();
    chunks.push(chunk);
  });
  // Fed in 1 kB slices, so that the callback runs (and can stop it) every ≤ 1 MiB of output (deflate expands at most ~1032:1).
  for (let i = 0; i < bytes.length; i += 1024) inflater.push(bytes.subarray(i, i + 1024), i + 1024 >= bytes.length);
  if (bytes.length === 0) inflater.push(new Uint8Array(0), true);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Decodes and validates a shared plan; never throws. */
export async function shareDecode(param: string): Promise<{ ok: true; input: PlanInput } | { ok: false; reason: string }> {
  const { strFromU8 } = await import('fflate');
  let text: string;
  try {
    if (param.length > INPUT_LIMITS.maxBytes) throw new TooBig();
    text = strFromU8(await inflateCapped(base64urlDecode(param)));
  } catch (e) {
    if (e instanceof TooBig) return { ok: false, reason: `the link holds more than ${INPUT_LIMITS.maxBytes / 1048576} MiB of plan once unpacked, more than any plan; it was not opened` };
    return { ok: false, reason: e instanceof Error && e.message.startsWith('the link') ? e.message : 'the link is cut short or damaged' };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the link unpacks to something that is not a plan (not JSON)' };
  }
  // The input policy's depth and size bounds, before any code walks the data (issue 17).
  const bounds = dataBoundsIssue(doc);
  if (bounds) return { ok: false, reason: `the link's plan: ${bounds.message}` };
  const checked = planCheck(doc);
  return checked.status === 'ok' ? { ok: true, input: checked.input } : { ok: false, reason: checked.reason };
}

/** A full link to this page that opens `input`. */
export async function shareUrl(pageUrl: string, input: PlanInput): Promise<string> {
  return `${pageUrl.replace(/#.*$/, '')}#${await shareEncode(input)}`;
}
