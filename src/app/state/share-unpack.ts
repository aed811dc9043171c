/**
 * A share link's plan parameter unpacked: base64url → deflate → JSON, under the input policy
 * (its byte cap while inflating, its depth and value bounds before any code walks the data).
 * The slow, hostile-input part of opening a link: the import's Web Worker runs it
 * (src/app/import/jobs.ts, job `share`), so that the page keeps answering (issue 17: a link
 * inflated to 4 MiB held the page's thread up to 4.2 s under load). Pure and synchronous; never
 * throws. share.ts validates the data against the schema afterwards.
 */
import { Inflate, strFromU8 } from 'fflate';
import { INPUT_LIMITS } from '../../formats/input-limits.ts';
import { dataBoundsIssue } from '../../formats/data-bounds.ts';
import { TOO_BIG_REASON } from './share-reasons.ts';

export type ShareUnpacked = { ok: true; doc: unknown } | { ok: false; reason: string };


/** base64url (padded or not) to bytes; throws on characters outside the alphabet. */
export function base64urlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new Error('the link contains characters a share link never has');
  const bin = atob(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Thrown from the inflater's callback to stop it at the cap. */
class TooBig extends Error {}

/**
 * The link's bytes inflated, stopping as soon as they pass the input policy's byte cap (issue 17:
 * a 1.3 MB link inflated to 1 GB and left the page blank for 39 s at ~3.9 GB).
 */
function inflateCapped(bytes: Uint8Array): Uint8Array {
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

/** The plan parameter's data, or why it cannot be opened (for the notice's brackets). */
export function shareUnpack(param: string): ShareUnpacked {
  let text: string;
  try {
    if (param.length > INPUT_LIMITS.maxBytes) throw new TooBig();
    text = strFromU8(inflateCapped(base64urlDecode(param)));
  } catch (e) {
    if (e instanceof TooBig) return { ok: false, reason: TOO_BIG_REASON };
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
  return { ok: true, doc };
}
