/**
 * Words and lines as compose files and config files write them: image references, shell
 * command words, `name = value` config lines. Shared by the importer and the kinds' readers.
 */

/** The repository part of an image reference: `docker.io/library/postgres:16@sha256:…` → `postgres` (the engine's rule, one for both). */
export { imageRepositoryOf as imageRepository } from '../../engine/exporters.ts';

/** Splits a command string into words as a POSIX shell would (quotes and backslashes). */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      word += end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
      i = end < 0 ? s.length : end;
      has = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        word += s[j];
      }
      i = j;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) words.push(word);
      word = '';
      has = false;
    } else {
      word += c;
      has = true;
    }
  }
  if (has) words.push(word);
  return words;
}

/** Words of entrypoint + command; `sh -c "script"` (also `sh -euc`) contributes the script's words. */
export function commandWords(entrypoint: unknown, command: unknown): string[] {
  const words = (v: unknown): string[] => (typeof v === 'string' ? shellSplit(v) : Array.isArray(v) ? v.filter((w) => typeof w === 'string' || typeof w === 'number').map(String) : []);
  const all = [...words(entrypoint), ...words(command)];
  const out: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const w = all[i]!;
    // `-c`, or options ending in it (`-ec`, `-euc`, `-xc`): the next word is the script.
    if (/(^|\/)(ba|da|z)?sh$/.test(w) && /^-[a-z]*c$/.test(all[i + 1] ?? '') && all[i + 2] !== undefined) {
      out.push(...shellSplit(all[i + 2]!));
      i += 2;
    } else out.push(w);
  }
  return out;
}

/** A command word without its directory: `/usr/bin/redis-server` → `redis-server`. */
export const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** `name = value` (postgresql.conf, pgbouncer.ini) or `name value` (redis.conf) lines. */
export function confEntries(text: string, sep: '=' | ' '): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const m = sep === '=' ? /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=?\s*(.*?)\s*$/.exec(line.replace(/\s+#.*$/, '')) : /^([A-Za-z_-]+)\s+(.*?)\s*$/.exec(line);
    if (m) out.push([m[1]!.toLowerCase(), m[2]!.replace(/^'(.*)'$/, '$1')]);
  }
  return out;
}

/**
 * An option's value in command words, in its `--name N`, `--name=N`, `-xN` and `-x N` forms (the
 * last wins), with the words it was read from: gunicorn/celery/uvicorn (python.ts) and
 * puma/sidekiq (ruby.ts) read their process counts by it. `long` and `short` are the kinds' own
 * constants, never input.
 */
export function commandOption(words: readonly string[], long: string, short: string): { raw: string; shown: string } | null {
  let out: { raw: string; shown: string } | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const m = new RegExp(`^(?:--${long}=|-${short})(\\S+)$`).exec(w);
    if (m && w !== `-${short}`) out = { raw: m[1]!, shown: w };
    else if ((w === `--${long}` || w === `-${short}`) && words[i + 1] !== undefined) out = { raw: words[i + 1]!, shown: `${w} ${words[i + 1]}` };
  }
  return out;
}
