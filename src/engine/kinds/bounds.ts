/**
 * Settings with the bounds the real server accepts (issue 17: a schema never admits a value the
 * server refuses): sizes and numbers checked against each server's documented range, with a
 * message naming the range.
 */
import * as z from 'zod/mini';
import { sizeFormat } from '../units.ts';
import { sizeSchema } from '../schema-blocks.ts';

/** A size in MiB, from `min` to `max` MiB (`what`: the server's name for it, for the message). */
export function sizeWithin(min: number, max: number, what: string) {
  const message = `expected ${what} from ${sizeFormat(min)} to ${sizeFormat(max)}`;
  return z.pipe(sizeSchema, z.number().check(z.minimum(min, message), z.maximum(max, message)));
}

/** A number from `min` to `max`. */
export function numberWithin(min: number, max: number, what: string) {
  const message = `expected ${what} from ${min} to ${max}`;
  return z.number({ error: message }).check(z.minimum(min, message), z.maximum(max, message));
}
