/**
 * The blocks every setting of the plan file is built from: sizes, durations, counts, flags,
 * choices, defaults. schema.ts builds the plan from them and each kind module (kinds/) its own
 * settings, so this module imports neither (no runtime cycle between the two).
 */
// zod/mini: the same schema language with tree-shakeable checks, ~7 kB gzip instead of ~24 kB
// in the page's first load (the UI issue's 120 kB budget).
import * as z from 'zod/mini';
import { durationFormat, durationParse, sizeFormat, sizeParse } from './units.ts';

/** A text or number read through `parse`; its error message becomes the issue. */
function parsed(expected: string, parse: (v: string | number) => { ok: true; value: number } | { ok: false; error: string }) {
  return z.pipe(
    z.union([z.number(), z.string()], { error: expected }),
    z.transform((v: string | number, ctx) => {
      const r = parse(v);
      if (r.ok) return r.value;
      ctx.issues.push({ code: 'custom', message: r.error, input: v });
      return z.NEVER;
    }),
  );
}

/** A size in MiB, written as `800MiB`, `800m`, `1.5GiB`, `4g` or a bare number of MiB. */
export const sizeSchema = parsed('expected a size like 512MiB, 1.5GiB or a number of MiB', sizeParse);

/**
 * A size the real server accepts: sizeSchema within [min, max] MiB, the bounds the server itself
 * enforces (issue 17: the engine accepted shared_buffers 0 and 64 TiB, which PostgreSQL refuses
 * at start). `server` names the setting as its server does (`PostgreSQL's shared_buffers`);
 * cite the bounds' source beside the call. A new kind's sizes use this, not sizeSchema.
 */
export const sizeWithin = (min: number, max: number, server: string) =>
  sizeSchema.check(z.refine((v: number) => v >= min && v <= max, `expected ${sizeFormat(min)} to ${sizeFormat(max)} (${server} accepts no other value)`));

/** A duration in seconds, written as `30s`, `1m`, `7d` or a bare number of seconds. */
export const durationSchema = parsed('expected a duration like 30s, 1m or 7d, or a number of seconds', durationParse);

/** A duration the real server accepts, in [min, max] seconds: as sizeWithin. */
export const durationWithin = (min: number, max: number, server: string) =>
  durationSchema.check(z.refine((v: number) => v >= min && v <= max, `expected ${durationFormat(min)} to ${durationFormat(max)} (${server} accepts no other value)`));

/** A number in [min, max]: one message for every way to miss it. */
export const between = (min: number, max: number, message: string) => z.number({ error: message }).check(z.minimum(min, message), z.maximum(max, message));

/** A whole number in [min, max]. */
export const count = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.int({ error: message }).check(z.minimum(min, message), z.maximum(max, message));
};

export const bool = z.boolean({ error: 'expected true or false' });

/** One of a list of words (an enum setting). */
export const oneOf = <const T extends readonly [string, ...string[]]>(options: T) => z.enum(options, { error: `expected one of ${options.join(' | ')}` });

/** `schema`, or `value` when the plan leaves it out. */
export const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T>) => z._default(schema, value as never);

/** A kind's settings: a strict mapping (an unknown key is an error, not ignored). */
export const settingsObject = z.strictObject;
