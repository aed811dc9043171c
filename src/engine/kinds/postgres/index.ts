/** PostgreSQL as a kind: its settings, model, tuning and findings (the files beside this one). */
import { sizeFormat } from '../../units.ts';
import { field, type KindEngine } from '../kind.ts';
import { postgresSettings } from './settings.ts';
import { postgresUsage } from './model.ts';
import { postgresApply, postgresSettle, postgresUnfit, tunePostgres, type PgTune } from './tune.ts';
import { appOverMaxConnections, connectionsNearMax, postgresMemorySettings } from './findings.ts';

export const postgres: KindEngine<'postgres', typeof postgresSettings, PgTune> = {
  kind: 'postgres',
  settings: postgresSettings,
  usage: (s, ctx) => postgresUsage(s, ctx.traffic),
  // the seed: PostgreSQL 800MB
  starter: { limit: '800MiB', settings: {} },
  summary: ({ settings: st }) => `max_connections ${st.maxConnections} · shared_buffers ${sizeFormat(st.sharedBuffers)} · work_mem ${sizeFormat(st.workMem)}`,
  fields: [
    field.count('maxConnections', 'max_connections'), field.size('sharedBuffers', 'shared_buffers'), field.size('workMem', 'work_mem'),
    field.size('maintenanceWorkMem', 'maintenance_work_mem'), field.count('autovacuumMaxWorkers', 'autovacuum_max_workers'),
    field.count('maxParallelWorkersPerGather', 'max_parallel_workers_per_gather'), field.size('shmSize', 'shm_size'),
  ],
  findings: [appOverMaxConnections, connectionsNearMax, postgresMemorySettings],
  connections: 'none', // a server; its clients are the others

  tuning: {
    // max_connections follows pgBouncer's server side, as recommended.
    after: ['pgbouncer'],
    tune: tunePostgres,
    apply: postgresApply,
    unfit: postgresUnfit,
    settle: postgresSettle,
    notes: (s) => (s.limit === null ? [`${s.name}: no memory limit, so its memory settings stay as planned: Headroom sizes them from the container's own limit, never from the host's RAM (set a limit to tune them)`] : []),
  },
};
