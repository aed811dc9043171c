/**
 * The plan schema (plan-schema.ts) with every service kind loaded and registered (kinds/index.ts):
 * what the CLI, the formats, the scripts and the tests import. The page imports plan-schema.ts and
 * loads only its plan's kinds before the first numbers (kinds/registry.ts), the rest after.
 */
import { KINDS } from './kinds/index.ts';
import type { KindModules, ServiceKind } from './kinds/registry.ts';
import { SERVICE_KINDS } from './plan-schema.ts';

export * from './plan-schema.ts';

/** The settings schema of each kind (its module's). */
export const SETTINGS_SCHEMAS = Object.fromEntries(SERVICE_KINDS.map((k) => [k, KINDS[k].settings])) as { [K in ServiceKind]: KindModules[K]['settings'] };
