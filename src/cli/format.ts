/** `--format text|json|markdown|sarif|junit` (and `--json`, its alias for json) for `check` and `plan`. */
import { UsageError } from './io.ts';

export const FORMATS = ['text', 'json', 'markdown', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/** The options every command with formats takes. */
export const FORMAT_OPTIONS = { format: { type: 'string' }, json: { type: 'boolean' } } as const;

const isFormat = (v: string): v is Format => (FORMATS as readonly string[]).includes(v);

/** The format the options ask for; `--json` is `--format json`, and the two may not disagree. */
export function formatOf(values: Record<string, string | boolean | undefined>): Format {
  const given = values.format;
  if (given === undefined) return values.json ? 'json' : 'text';
  if (typeof given !== 'string' || !isFormat(given)) throw new UsageError([`error: --format: unknown format "${String(given)}" (expected one of ${FORMATS.join(', ')})`]);
  if (values.json && given !== 'json') throw new UsageError([`error: --json is --format json; it cannot be given with --format ${given}`]);
  return given;
}
