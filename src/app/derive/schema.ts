/**
 * The engine's heavy half (the plan schema with zod/mini, the model and the kinds' registry) is a
 * chunk the page loads after its entry instead of inside it, and each kind's module is one more
 * (kinds/registry.ts). The boot awaits the engine and the kinds of the plan it opens (and of the
 * toggles) before it reads the saved plan or a share link and renders; the other kinds load right
 * after the first numbers are drawn (kindsLoadAll). Everything that brings a plan in later (the
 * store's planSet and planReplace, share links pasted later) waits for its kinds first. Modules in
 * the entry's import graph reach these functions only through engine(); lazily loaded components
 * may import the engine directly (engine/index.ts and engine/schema.ts load every kind).
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
