/** pgBouncer: a small single-threaded process, ~2 kB per connection (pgbouncer.org). */
import type { ServiceOf } from '../schema.ts';
import type { Traffic, Usage } from '../report.ts';
import { component, usageOf } from './usage.ts';

/** Process base: measured here 8.4 MiB RSS idle and at 10–100 clients (PgBouncer 1.18 with
 * libevent and OpenSSL, calibration/pgbouncer.json); 7 low, 12 high for TLS and caches. */
const BASE_MIB = { low: 7, typical: 8.4, high: 12 } as const;
/** Per connection: measured here 7.2 KiB per client at 1,000 clients (calibration/pgbouncer.json);
 * the docs' ~2 kB counts the packet buffer alone (pgbouncer.org features). */
const PER_CONN_MIB = 7 / 1024;
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
