/** Unit tests of the page run after its boot: the plan schema (loaded on demand in the page) is loaded first. */
import { schemaLoad } from '../src/app/derive/schema.ts';

await schemaLoad();
