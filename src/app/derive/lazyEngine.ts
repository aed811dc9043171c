/**
 * What the page takes from the engine after its entry has run (see schema.ts): the plan schema
 * (zod/mini), the model (evaluate) and the registry of every kind. Each of these brings every
 * kind's module and zod/mini with it (~45 kB gzip), so the page's entry chunk imports none of
 * them directly: the same engine, loaded as one chunk of its own.
 */
export * from '../../engine/schema.ts';
export { evaluate } from '../../engine/evaluate.ts';
export { kindOf } from '../../engine/kinds/index.ts';
