/** pgBouncer: a small single-threaded process, ~2 kB per connection (pgbouncer.org). */
import type { ServiceOf } from '../schema.ts';
import type { Traffic, Usage } from '../report.ts';
import { component, usageOf } from './usage.ts';

/** Process base. Assumed: 2 / 3 / 6 MiB for libevent, TLS and the binary (to calibrate). */
const BASE_MIB = { low: 2, typical: 3, high: 6 } as const;
/** About 2 kB per connection at pkt_buf 4096 (pgbouncer.org features). */
const PER_CONN_MIB = 2 / 1024;
/** With max_prepared_statements > 0 a client may hold up to 4 × pkt_buf (pgbouncer.org config). */
const PREPARED_CLIENT_MIB = (4 * 4096) / 1048576;

export function pgbouncerUsage(s: ServiceOf<'pgbouncer'>, traffic: Traffic): Usage {
  const clients = Math.min(traffic.appConnections, s.settings.maxClientConn);
  const clientsLow = Math.min(clients, traffic.backends.low);
  const perClient = PER_CONN_MIB + (s.settings.maxPreparedStatements > 0 ? PREPARED_CLIENT_MIB : 0);
  const b = traffic.backends;
  return usageOf([
    component('base', BASE_MIB.low, BASE_MIB.typical, BASE_MIB.high),
    component('client connections', clientsLow * perClient, clients * perClient, s.settings.maxClientConn * perClient),
    component('server connections', b.low * PER_CONN_MIB, b.typical * PER_CONN_MIB, b.high * PER_CONN_MIB),
  ]);
}
