/**
 * The plan schema (zod/mini and the plan's rules, ~17 kB gzip) is loaded beside the page's first
 * render instead of in its entry chunk: the boot awaits it before it reads the saved plan or a
 * share link, so everything that validates afterwards (the store, the fields, plan files, share
 * links pasted later) finds it loaded. Only the schema is split off: the model (evaluate) stays
 * in the entry.
 */
type SchemaModule = typeof import('../../engine/schema.ts');

let loaded: SchemaModule | null = null;
let loading: Promise<SchemaModule> | null = null;

/** Loads the schema once; every later call returns the same promise. */
export function schemaLoad(): Promise<SchemaModule> {
  return (loading ??= import('../../engine/schema.ts').then((m) => (loaded = m)));
}

/** The loaded schema module; a programming error (not a user's) when called before schemaLoad settles. */
export function schema(): SchemaModule {
  if (!loaded) throw new Error('the plan schema is not loaded yet: await schemaLoad() first');
  return loaded;
}
