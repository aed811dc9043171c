/** AlertManager: memory that does not follow the workload (memory-model.md). */
import { settingsObject } from '../schema-blocks.ts';
import { processUsage } from '../usage.ts';
import type { KindEngine } from './kind.ts';

const settings = settingsObject({});

/** AlertManager idle ~8–16 MB (memory-model.md); the seed budgets 30–50 MB. */
const ALERTMANAGER_MIB = { low: 8, typical: 16, high: 32 } as const;

export const alertmanager: KindEngine<'alertmanager', typeof settings> = {
  kind: 'alertmanager',
  settings,
  usage: () => processUsage(ALERTMANAGER_MIB),
  // the seed: "30-50MB overhead"
  starter: { limit: '50MiB', settings: {} },
  fields: [],
  scraped: true, // its own /metrics on port 9093
  connections: 'none', // it only sends notifications
};
