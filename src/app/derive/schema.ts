/**
 * The engine's heavy half (the plan schema with zod/mini, the model, every kind's module: ~45 kB
 * gzip) is one chunk the page loads after its entry instead of inside it. The boot awaits it
 * before it reads the saved plan or a share link and renders, so everything that validates or
 * evaluates afterwards (the store, the fields, plan files, share links pasted later) finds it
 * loaded. This moves bytes out of the entry, it does not remove them: the numbers are painted once
 * both have arrived (the bench prints both figures). Modules in the entry's import graph reach
 * these functions only through engine(); lazily loaded components may import the engine directly.
 */
type EngineModule = typeof import('./lazyEngine.ts');

let loaded: EngineModule | null = null;
let loading: Promise<EngineModule> | null = null;

/** Loads the engine's heavy half once; every later call returns the same promise. */
export function engineLoad(): Promise<EngineModule> {
  return (loading ??= import('./lazyEngine.ts').then((m) => (loaded = m)));
}

/** The loaded module; a programming error (not a user's) when called before engineLoad settles. */
export function engine(): EngineModule {
  if (!loaded) throw new Error('the engine is not loaded yet: await engineLoad() first');
  return loaded;
}

/** The plan schema's accessors under their earlier names (the schema is part of the same chunk). */
export const schemaLoad = engineLoad;
export const schema = engine;
