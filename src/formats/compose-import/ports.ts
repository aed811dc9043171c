/**
 * A service's `ports` and `network_mode` (already interpolated) → the plan's `exposure`
 * (engine/schema.ts). Compose's short syntax is `[[ADDRESS:]HOST:]CONTAINER[/PROTOCOL]` (an IPv6
 * address in brackets); the long one `{target, published, host_ip}`. Docker binds a published
 * port on every interface (0.0.0.0) unless an address is given. Pure.
 */
import type { Exposure } from '../../engine/schema.ts';

type Published = NonNullable<Exposure['published']>[number];

const ALL = '0.0.0.0'; // Docker's default host_ip: every interface

/** One short-syntax entry: `6379`, `6379:6379`, `127.0.0.1:6379:6379`, `[::1]:6379:6379/tcp`. */
function shortPort(text: string): Published | null {
  const spec = text.trim().replace(/\/(tcp|udp|sctp)$/i, '');
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  const rest = v6 ? v6[2]! : spec;
  const parts = rest.split(':');
  if (v6) return parts.length === 2 ? { address: v6[1]!, port: parts[0]!, target: parts[1]! } : null;
  if (parts.length === 1) return { address: ALL, port: '', target: parts[0]! };
  if (parts.length === 2) return { address: ALL, port: parts[0]!, target: parts[1]! };
  if (parts.length === 3) return { address: parts[0] || ALL, port: parts[1]!, target: parts[2]! };
  return null;
}

/** The service's exposure, or undefined when it is reached only on the compose network (the plan then has no `exposure`). */
export function exposureOf(svc: Record<string, unknown>): Exposure | undefined {
  const published: Published[] = [];
  for (const p of Array.isArray(svc.ports) ? svc.ports : []) {
    if (typeof p === 'string' || typeof p === 'number') {
      const one = shortPort(String(p));
      if (one) published.push(one);
    } else if (p && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
      const target = text(o.target);
      if (target === undefined) continue;
      published.push({ address: typeof o.host_ip === 'string' && o.host_ip ? o.host_ip : ALL, port: text(o.published) ?? '', target });
    }
  }
  const hostNetwork = svc.network_mode === 'host';
  if (!hostNetwork && published.length === 0) return undefined;
  return { ...(hostNetwork ? { hostNetwork: true } : {}), ...(published.length ? { published } : {}) };
}
