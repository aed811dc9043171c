/** Grafana: memory that does not follow the workload (memory-model.md). */
import { settingsObject } from '../schema-blocks.ts';
import { processUsage } from '../usage.ts';
import type { KindEngine } from './kind.ts';

const settings = settingsObject({});

/** Grafana: idle ~33 MB measured; docs recommend 512 MB minimum for rendering and alerting
 * (memory-model.md). Assumed 80 typical with a few dashboards, 200 high while rendering. */
const GRAFANA_MIB = { low: 33, typical: 80, high: 200 } as const;

export const grafana: KindEngine<'grafana', typeof settings> = {
  kind: 'grafana',
  settings,
  usage: () => processUsage(GRAFANA_MIB),
  // the seed: Grafana 150MB
  starter: { limit: '150MiB', settings: {} },
  fields: [],
  scraped: true, // its own /metrics on port 3000
  // assumed: its data source is the stack's Prometheus and its own database SQLite (Grafana's
  // default, grafana.com docs); a Grafana that queries PostgreSQL is a client Headroom does not count.
  connections: 'none',
};
