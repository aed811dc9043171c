/**
 * The share link: the plan file as JSON, deflated with fflate, base64url in the URL hash
 * (`#plan=…`). The hash never reaches a server, and opening the link validates it like a file.
 * fflate loads only when a link is made or opened, keeping it out of the first load; a link is
 * unpacked in the import's Web Worker (share-unpack.ts).
 */
import type { PlanInput } from '../../engine/schema.ts';
import { planCheck } from './persist.ts';
import { INPUT_LIMITS } from '../../formats/input-limits.ts';
import { TOO_BIG_REASON } from './share-reasons.ts';
import type { ShareUnpacked } from './share-unpack.ts';

const PARAM = 'plan';

/** Bytes to base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
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

/**
 * Decodes and validates a shared plan; never throws. The link is unpacked (inflated under the
 * input policy's byte cap, JSON-parsed, bounded) in the import's Web Worker, off the page's
 * thread; only the bounded data comes back to be checked against the schema here.
 */
export async function shareDecode(param: string): Promise<{ ok: true; input: PlanInput } | { ok: false; reason: string }> {
  // Too long to be anything but refused: said without starting a worker.
  if (param.length > INPUT_LIMITS.maxBytes) return { ok: false, reason: TOO_BIG_REASON };
  const unpacked = await unpackOffThread(param);
  if (!unpacked.ok) return unpacked;
  const checked = planCheck(unpacked.doc);
  return checked.status === 'ok' ? { ok: true, input: checked.input } : { ok: false, reason: checked.reason };
}

/** shareUnpack in the import's worker; on this thread only where there are no workers (Node, tests). */
async function unpackOffThread(param: string): Promise<ShareUnpacked> {
  try {
    if (typeof Worker === 'undefined') return (await import('./share-unpack.ts')).shareUnpack(param);
    const { JobLane } = await import('../import/client.ts');
    const lane = new JobLane();
    try {
      const o = await lane.run({ type: 'share', param });
      if (o.status === 'done') return o.result;
      return { ok: false, reason: o.status === 'failed' ? `the link could not be unpacked: ${o.message}` : 'another link was opened' };
    } finally {
      lane.dispose();
    }
  } catch (e) {
    return { ok: false, reason: `the link could not be unpacked: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** A full link to this page that opens `input`. */
export async function shareUrl(pageUrl: string, input: PlanInput): Promise<string> {
  return `${pageUrl.replace(/#.*$/, '')}#${await shareEncode(input)}`;
}
