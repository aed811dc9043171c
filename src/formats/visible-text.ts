/**
 * Text from an input shown where a person reads it: an exported file's `#` comment, the runbook,
 * a notice or a problem on the page. Control characters, Unicode line separators, the BOM and
 * invisible formatting characters (Unicode's Cf: the bidi embeddings, overrides and isolates
 * U+202A–202E and U+2066–2069, the marks U+200E/200F and U+061C, zero-width characters) become
 * \u{..} escapes, so a line can never end early nor display reordered ("Trojan Source",
 * CVE-2021-42574; issue 17: bidi names); other text stays as it is. No imports: the page's first
 * load uses it. Pure.
 */

/** Not a control character (C0, DEL, C1) nor a Unicode line or paragraph separator, nor the BOM. */
export function isLineSafe(c: number): boolean {
  return c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f) && c !== 0x2028 && c !== 0x2029 && c !== 0xfeff;
}

const INVISIBLE = /\p{Cf}/u;

/** `s` with every unsafe or invisible character written as `\u{..}`. */
export function visibleText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    out += isLineSafe(c) && !INVISIBLE.test(ch) ? ch : `\\u{${c.toString(16)}}`;
  }
  return out;
}
