/**
 * postgresql.conf for one Postgres service: the plan's values, completed and checked by its tuner,
 * with the arithmetic in comments. Values are numbers from the validated plan written in
 * PostgreSQL's units; names and free text appear only in comments, escaped.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { tunePostgres, type PgSettings, type PgTune } from '../../engine/kinds/postgres/tune.ts';
import { BACKEND_MIB, WORK_MEM_NODES } from '../../engine/kinds/postgres/model.ts';
import { commentText, GENERATED_BY, human, pgSize } from './common.ts';
import { MOUNTS, type Stack } from './stack.ts';

/** One line of the file: a setting, its value in PostgreSQL's notation, and its comment. */
export type PgLine = { name: string; value: string; comment: string[] };

const SIZE_KEYS: Partial<Record<keyof PgSettings, string>> = {
  sharedBuffers: 'shared_buffers',
  effectiveCacheSize: 'effective_cache_size',
  workMem: 'work_mem',
  maintenanceWorkMem: 'maintenance_work_mem',
  autovacuumWorkMem: 'autovacuum_work_mem',
  walBuffers: 'wal_buffers',
};

/** The settings written for this service, in order (the real-tool test compares each with SHOW). */
export function postgresLines(stack: Stack, pg: ServiceOf<'postgres'>): { tune: PgTune; lines: PgLine[] } {
  const t = tunePostgres(stack.plan, pg);
  const p = t.planned;
  const r = t.recommended;
  const differs = (k: keyof PgSettings, show: (v: number) => string): string[] =>
    p[k] !== r[k] ? [`Headroom recommends ${show(r[k])} here: ${t.explain[k]}.`] : [];
  const size = (k: keyof PgSettings): PgLine => ({
    name: SIZE_KEYS[k]!,
    value: pgSize(p[k]),
    comment: differs(k, pgSize),
  });
  const c = t.connections;
  const lines: PgLine[] = [
    { name: 'listen_addresses', value: "'*'", comment: ['Reached only on the compose network: the compose file publishes no port for it.'] },
    {
      name: 'max_connections',
      value: String(p.maxConnections),
      comment: [
        `The app can open ${c.app} connections${c.viaPgbouncer ? `, through pgBouncer (which opens at most its pool to this server)` : ''}.`,
        ...differs('maxConnections', String),
      ],
    },
    { name: 'superuser_reserved_connections', value: String(p.superuserReservedConnections), comment: [] },
    { ...size('sharedBuffers'), comment: [`${Math.round((p.sharedBuffers / t.limit) * 100)}% of the ${human(t.limit)} limit (PG docs: ~25% is the usual start, over 40% rarely helps).`, ...differs('sharedBuffers', pgSize)] },
    { ...size('effectiveCacheSize'), comment: ['A planner hint: it allocates nothing. 75% of the limit, since the page cache counts in the container.'] },
    { ...size('workMem'), comment: [`Per sort or hash node, several per query: the budget above counts ${WORK_MEM_NODES.high} nodes (3 x hash_mem_multiplier) per active query.`, ...differs('workMem', pgSize)] },
    { name: 'hash_mem_multiplier', value: p.hashMemMultiplier.toFixed(1), comment: ['PostgreSQL 15 default, written so that the budget above is explicit.'] },
    size('maintenanceWorkMem'),
    { ...size('autovacuumWorkMem'), comment: [`Each of autovacuum_max_workers may use this much: ${p.autovacuumMaxWorkers} × ${pgSize(p.autovacuumWorkMem)} in the budget.`] },
    { name: 'autovacuum_max_workers', value: String(p.autovacuumMaxWorkers), comment: [] },
    { name: 'max_parallel_workers_per_gather', value: String(p.maxParallelWorkersPerGather), comment: [] },
    { ...size('walBuffers'), comment: ['shared_buffers/32 within [64kB, 16MB]: what -1 picks, written out.'] },
  ];
  return { tune: t, lines };
}

export function postgresqlConf(stack: Stack, pg: ServiceOf<'postgres'>): string {
  const { tune: t, lines } = postgresLines(stack, pg);
  const b = t.plannedBudget;
  const pad = (s: string) => s.padStart(9);
  const header = [
    `postgresql.conf for the service "${pg.name}". ${GENERATED_BY}${stack.plan.name ? ` "${stack.plan.name}"` : ''}.`,
    `Mounted at ${MOUNTS.postgresConf}; the compose file starts postgres -c config_file=${MOUNTS.postgresConf}.`,
    '',
    t.limitFromHost
      ? `This service has no memory limit: the budget uses the host's ${human(t.limit)} instead.`
      : `How these settings spend the ${human(t.limit)} container limit in the plan's x${b.multiplier} spike, at the high end of Headroom's model (the one its findings read):`,
    ...b.parts.map((part) => `${pad(human(part.MiB))}  ${part.name}${part.note ? ` (${part.note})` : ''}`),
    `${pad(human(b.free))}  ${b.fits ? 'left over' : 'OVER THE LIMIT: lower work_mem or max_connections, or add pgBouncer (see `headroom check`)'}`,
    `In normal traffic, at its high end (${BACKEND_MIB.high}MiB per backend, work_mem x ${WORK_MEM_NODES.high} nodes per active query, every autovacuum worker at maintenance_work_mem) Headroom's model puts this server at ${human(t.plannedHigh)}: ${t.plannedHigh <= t.limit ? 'within' : 'OVER'} the limit.`,
  ];
  const out: string[] = header.map((l) => (l ? `# ${commentText(l)}` : '#'));
  for (const line of lines) {
    out.push('');
    for (const c of line.comment) out.push(`# ${commentText(c)}`);
    out.push(`${line.name} = ${line.value}`);
  }
  return out.join('\n') + '\n';
}
