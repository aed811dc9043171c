/** The README's code blocks, for tests that run exactly what the README tells people to run. Test-only. */
import { readFileSync } from 'node:fs';

/** The first fenced block of `lang` after the line that contains `marker`. */
export function readmeBlock(marker: string, lang: string, file = 'README.md'): string {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`README: no "${marker}"`);
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text.slice(at));
  if (!m) throw new Error(`README: no \`\`\`${lang} block after "${marker}"`);
  return m[1]!;
}
