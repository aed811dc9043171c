/**
 * The hostile inputs of issue 17, built in memory: the reproductions its hardening tests and
 * `npm run bench` run. Test-only.
 */

/** A compose file with one `count`-item anchor aliased `aliases` times (issue 17: 100,000 × 9,000, 227 KB). */
export function aliasBombCompose(count = 100_000, aliases = 9_000): string {
  const items = Array.from({ length: count }, () => '0').join(',');
  const lines = ['x-big: &big [' + items + ']', 'services:', '  db:', '    image: postgres:16', '    mem_limit: 512m'];
  for (let i = 0; i < aliases; i++) lines.push(`    x-a${i}: *big`);
  return `${lines.join('\n')}\n`;
}

/** A plan file holding a list of `count` items (issue 17: one million items, 2 MB). */
export function bigListPlan(count = 1_000_000): string {
  return `host: {ram: 4GiB}\nservices:\n  - {name: db, kind: postgres, limit: 512MiB}\nx: [${Array.from({ length: count }, () => '1').join(',')}]\n`;
}

/** `depth` nested flow sequences, never closed (issue 17: 100k `[`). */
export function nestedBrackets(depth = 100_000): string {
  return '['.repeat(depth);
}

/** About 1 KB of unclosed flow mappings: one YAML error per line (issue 17: 784 identical lines). */
export function unclosedFile(): string {
  return `services:\n  db: {image: postgres\n${'    a: b\n'.repeat(110)}`;
}

/** A plan with the semantic cache on and a one-year cache TTL (issue 17: capacity 53 s). */
export function longTtlPlanInput(entrySize = '8KiB') {
  return {
    host: { ram: '4GiB' },
    features: { semanticCache: true },
    workload: { cacheTtlSeconds: 31_536_000, cacheEntrySize: entrySize },
    services: [
      { name: 'app', kind: 'fastapi' as const, limit: '512MiB' },
      { name: 'db', kind: 'postgres' as const, limit: '1GiB' },
      { name: 'redis', kind: 'redis' as const, limit: '512MiB' },
    ],
  };
}

/** A plan of `n` services of several kinds (issue 17: capacity of a 2,000-service plan took 20 s). */
export function manyServicesPlanInput(n = 2000) {
  const kinds = ['fastapi', 'redis', 'generic', 'prometheus', 'grafana'] as const;
  const services: Array<{ name: string; kind: string; limit: string; settings?: Record<string, unknown> }> = [{ name: 'db', kind: 'postgres', limit: '8GiB', settings: { maxConnections: 2000 } }];
  for (let i = 1; i < n; i++) services.push({ name: `svc-${i}`, kind: kinds[i % kinds.length]!, limit: '256MiB' });
  return { host: { ram: '256GiB' }, features: { pgbouncer: true, semanticCache: true, alertmanager: true }, services };
}

/** The classic billion laughs: nine levels of anchors, each aliasing the one before nine times (9⁹ leaves). `prefix` names the keys (`x-` for a compose file). */
export function billionLaughs(prefix = ''): string {
  const lines = [`${prefix}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${prefix}${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}
