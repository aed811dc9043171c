/**
 * How a service is reached (issue 11, "exposure told truthfully"): from the plan's `exposure`
 * (the compose file's `ports` and `network_mode`, engine/schema.ts). Every exported config that
 * listens (postgresql.conf, redis.conf, pgbouncer.ini) and the compose comments state it, and
 * set bind, protected-mode and password guidance from it — one rule here for every kind.
 *
 * The binding never shuts out a client the stack has: a server listens on every interface unless
 * every service of the stack runs on the host network (its clients then reach it on localhost).
 */
import type { Service } from '../../engine/schema.ts';
import type { Stack } from '../kinds/kind.ts';

export type Reach = {
  /** `network`: the compose network only; `loopback`: ports published on the host's loopback only; `public`: published on an outside address; `host`: network_mode: host. */
  where: 'network' | 'loopback' | 'public' | 'host';
  /** Listen on localhost only (every service on the host network), else on every interface. */
  loopbackOnly: boolean;
  /** Reachable from outside the host: a password (and a firewall) is what protects it. */
  outside: boolean;
  /** One sentence: how it is reached, from the compose file. */
  text: string;
};

/** A service reached only on the compose network: what a writer assumes without a stack. */
export const NETWORK_ONLY: Reach = { where: 'network', loopbackOnly: false, outside: false, text: 'reached only on the compose network: no port published, no host network' };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** How `s` is reached, as its stack's compose file says. */
export function reachOf(stack: Stack, s: Service): Reach {
  const e = s.exposure;
  if (e?.hostNetwork) {
    const all = stack.plan.services.every((x) => x.exposure?.hostNetwork);
    return all
      ? { where: 'host', loopbackOnly: true, outside: false, text: 'network_mode: host, like every service of this stack: it shares the host\'s network, and listens on localhost only, where its clients on the host network reach it' }
      : { where: 'host', loopbackOnly: false, outside: true, text: 'network_mode: host: it listens on every interface of the host itself, so it is reachable from wherever the host is (only a firewall stands in between); its clients on the compose network reach it through the host\'s address' };
  }
  const published = e?.published ?? [];
  if (published.length === 0) return NETWORK_ONLY;
  const list = published.map((p) => `${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.port || '(a port Docker picks)'}→${p.target}`).join(', ');
  return published.every((p) => LOOPBACK.test(p.address))
    ? { where: 'loopback', loopbackOnly: false, outside: false, text: `published on the host's loopback only (${list}): reachable from the host's own processes and the compose network, not from outside` }
    : { where: 'public', loopbackOnly: false, outside: true, text: `published on ${list}${published.some((p) => p.address === '0.0.0.0') ? ' (0.0.0.0: every interface of the host)' : ''}: reachable from outside the host unless a firewall stops it` };
}
