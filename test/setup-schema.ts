/**
 * Unit tests of the page run after its boot: the engine's chunk (loaded on demand in the page) is
 * loaded first, with every kind (the page loads the others right after its first paint).
 */
import { engineLoad } from '../src/app/derive/schema.ts';

await (await engineLoad()).kindsLoadAll();
