/**
 * Reading the settings data servers take on their command line, in their environment and in their
 * config files: GNU-style options (`--name=value`, `--name value`, `-s value`), ini sections
 * (my.cnf), and sizes in each server's own notation. Shared by the data-store kinds' readers.
 */
import { sizeToPlan } from '../../engine/units.ts';
import type { Recognised } from './kind.ts';

/** A value read, and where from (for `read`). */
export type Found = { value: string; from: string };

/**
 * GNU-style options among `words`, by name: long names with `_` and `-` alike (`innodb_buffer_pool_size`),
 * short ones as their letter (`m`). `names` maps every form (without dashes) to the key it sets.
 */
export function readOptions(words: readonly string[], names: Readonly<Record<string, string>>, from: string, into: Map<string, Found>): void {
  const keyOf = (w: string) => names[w.replace(/_/g, '-').toLowerCase()] ?? names[w];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-')) continue;
    const long = w.startsWith('--');
    const body = w.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    if (eq >= 0) {
      const key = keyOf(body.slice(0, eq));
      if (key) into.set(key, { value: body.slice(eq + 1), from: `${from} ${w}` });
      continue;
    }
    const key = keyOf(long ? body : body.slice(0, 1));
    if (!key) continue;
    if (!long && body.length > 1) {
      into.set(key, { value: body.slice(1), from: `${from} ${w}` });
      continue;
    }
    const next = words[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      into.set(key, { value: next, from: `${from} ${w} ${next}` });
      i++;
    } else into.set(key, { value: '', from: `${from} ${w}` }); // a bare flag: `--skip-x`, `--performance-schema`
  }
}

/** `name = value` lines of the given [sections] of an ini file (my.cnf), names with `-` and `_` alike, lower-cased. */
export function iniEntries(text: string, sections: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('!')) continue;
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      inSection = sections.includes(sec[1]!.trim().toLowerCase());
      continue;
    }
    if (!inSection) continue;
    const m = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*?))?\s*(?:#.*)?$/.exec(line);
    if (m) out.push([m[1]!.replace(/-/g, '_').toLowerCase(), (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2')]);
  }
  return out;
}

/** A size with an optional binary suffix (K, M, G, T; `KB`/`MiB` too), a bare number meaning `bare` MiB. */
export function suffixedSize(text: string, bare: number): { ok: true; value: number } | { ok: false; error: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt])?(?:i?b)?\s*$/i.exec(text);
  if (!m) return { ok: false, error: `expected a size like 256M, 1G or a number, got "${text}"` };
  const per: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1048576 };
  return { ok: true, value: Number(m[1]) * (m[2] ? per[m[2].toLowerCase()]! : bare) };
}

/** Records a size setting read from `found` (or a warning naming where it came from). */
export function readSize(r: Recognised, key: string, found: Found | undefined, bare: number, label = key): void {
  if (!found) return;
  const v = suffixedSize(found.value, bare);
  if (v.ok) {
    r.settings[key] = sizeToPlan(v.value);
    r.read.push(`${label} ${sizeToPlan(v.value)} from ${found.from}`);
  } else r.warnings.push(`${found.from}: ${v.error}: ignored`);
}

/** Records a whole-number setting read from `found`. */
export function readCount(r: Recognised, key: string, found: Found | undefined, label = key): void {
  if (!found) return;
  const n = Number(found.value);
  if (Number.isInteger(n) && n >= 0) {
    r.settings[key] = n;
    r.read.push(`${label} ${n} from ${found.from}`);
  } else r.warnings.push(`${found.from}: not a whole number: ignored`);
}

/** The tag of an image reference (`rabbitmq:3.13-management` → `3.13-management`), '' when none. */
export function imageTag(image: string | null): string {
  if (!image) return '';
  const ref = image.split('@')[0]!;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : '';
}

/** The leading major.minor.patch of a tag as numbers (`8.0.44-debian` → [8, 0, 44]); null when the tag has no version. */
export function tagVersion(image: string | null): number[] | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(imageTag(image));
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : null;
}

/** A size in a server's suffix notation: whole MiB as `256M`, else whole KiB as `1536K`. */
export function suffixSizeFormat(mib: number): string {
  if (Number.isInteger(mib)) return mib % 1024 === 0 && mib > 0 ? `${mib / 1024}G` : `${mib}M`;
  return `${Math.max(1, Math.round(mib * 1024))}K`;
}
