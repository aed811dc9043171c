/**
 * A PHP service: PHP-FPM's pool of children, Apache's prefork children with mod_php, a Swoole
 * server's workers, or one PHP CLI process (a cron, a queue worker). Each child holds one request
 * at a time; the pool grows under load to its maximum (pm.max_children, MaxRequestWorkers) and
 * shrinks back at rest, so its memory is a pool (processes.ts) between its idle and its full size.
 * memory_limit bounds what one request may allocate: every child at it at once is the classic
 * PHP OOM, which the finding below names.
 */
import * as z from 'zod/mini';
import type { Plan, ServiceOf } from '../schema.ts';
import type { Finding, Usage } from '../report.ts';
import { bool, count, oneOf, settingsObject, sizeSchema, withDefault } from '../schema-blocks.ts';
import { sizeFormat, withArticle } from '../units.ts';
import { finding, fmt, servicesOf, type Rule } from '../findings/context.ts';
import { poolFinding, poolLimitFor, poolUsage, tunePool, type Pool, type PoolTune } from './processes.ts';
import { field, type KindEngine, type TuneUnfit } from './kind.ts';
import { catalogueBasis, CATALOGUE_IDS } from '../catalogue.ts';

export const PHP_ENUMS = { server: ['fpm', 'apache', 'swoole', 'cli'], pm: ['static', 'dynamic', 'ondemand'] } as const;
export type PhpServer = (typeof PHP_ENUMS.server)[number];

/** The pool's sizes each server starts with when nothing says otherwise. */
export const PHP_SERVER_DEFAULTS: Readonly<Record<PhpServer, { processes: number; idle: number; source: string }>> = {
  // php-src sapi/fpm/www.conf.in as the official php image ships it: pm = dynamic, pm.max_children = 5, pm.start_servers = 2
  fpm: { processes: 5, idle: 2, source: "php-fpm's www.conf (the official php image): pm.max_children = 5, pm.start_servers = 2" },
  // Debian's apache2 mods-available/mpm_prefork.conf: MaxRequestWorkers 150, StartServers 5. The official php:apache
  // image installs Debian's apache2 and only switches to prefork (docker-library/php Dockerfile: `a2dismod mpm_event
  // && a2enmod mpm_prefork`), so it runs these. Apache's own compiled default is higher: MaxRequestWorkers 256 for
  // prefork (httpd.apache.org/docs/2.4/mod/mpm_common.html#maxrequestworkers, ServerLimit 256), StartServers 5.
  // Checked for issue 10: 150 is what these images run; the ~10 GiB high of Firefly III came from its image being
  // taken for php:apache, which it no longer is (catalogue.ts: PHP-FPM, 20 children).
  apache: { processes: 150, idle: 5, source: "Debian's mpm_prefork.conf (the php:apache image): MaxRequestWorkers 150, StartServers 5" },
  // Swoole's worker_num defaults to the CPU count (Swoole docs, Server settings): assumed 2 cores, as proxy.ts assumes
  swoole: { processes: 2, idle: 2, source: "Swoole's worker_num: one worker per CPU (assumed 2)" },
  cli: { processes: 1, idle: 1, source: 'one PHP process' },
};

export const PHP_DEFAULTS = {
  server: 'fpm', // the common way PHP runs behind a proxy in compose stacks
  pm: 'dynamic', // php-fpm's www.conf default (php-src sapi/fpm/www.conf.in)
  processes: PHP_SERVER_DEFAULTS.fpm.processes,
  idle: PHP_SERVER_DEFAULTS.fpm.idle,
  // assumed for a framework app's child after a few requests: a Nextcloud admin measured 50–60 MB
  // per FPM child (nextcloud/nextcloudpi#406); WordPress 30–40 MB, WooCommerce 50–80 MB (field
  // guides on pm.max_children); not measured here.
  perProcess: 50,
  memoryLimit: 128, // php.ini's memory_limit default 128M (PHP manual, ini.core); 0 stands for -1, none
  master: true, // php-fpm's master, Apache's parent, Swoole's master and manager
  replicas: 1,
} as const;

/** The master (php-fpm's master process, Apache's parent, Swoole's master + manager): assumed
 * 10 MiB, the interpreter and its extensions without a request (field reports of php-fpm's master at 8–15 MB RSS). */
const PHP_MASTER_MIB = 10;

const settings = settingsObject({
  server: withDefault(oneOf(PHP_ENUMS.server), PHP_DEFAULTS.server),
  pm: withDefault(oneOf(PHP_ENUMS.pm), PHP_DEFAULTS.pm),
  processes: withDefault(count(1, 4096), PHP_DEFAULTS.processes),
  idle: withDefault(count(0, 4096), PHP_DEFAULTS.idle),
  perProcess: withDefault(sizeSchema, PHP_DEFAULTS.perProcess),
  memoryLimit: withDefault(sizeSchema, PHP_DEFAULTS.memoryLimit),
  master: withDefault(bool, PHP_DEFAULTS.master),
  replicas: withDefault(count(1, 64), PHP_DEFAULTS.replicas),
  // The application image in Headroom's catalogue (engine/catalogue.ts) its memory per child comes from.
  app: z.optional(oneOf(CATALOGUE_IDS)),
});

/**
 * The service as a pool: at rest its idle children (pm = static keeps them all, ondemand none);
 * typically those (assumed: a small site's traffic is served by the children a dynamic pool keeps
 * spare; the pool's full size is the spike's); at high every child busy and grown. A child never
 * holds more than its size at rest plus memory_limit (the Zend allocator refuses more).
 */
export function phpPool(s: ServiceOf<'php'>): Pool {
  const st = s.settings;
  const idle = st.pm === 'static' ? st.processes : st.pm === 'ondemand' ? 0 : Math.min(st.idle, st.processes);
  const spread = st.perProcess * 1.4; // PROCESS_SPREAD.high, as every pool
  return { replicas: st.replicas, processes: st.processes, perProcess: st.perProcess, idle, busy: Math.max(idle, 1), highPerProcess: st.memoryLimit > 0 ? Math.min(spread, st.perProcess + st.memoryLimit) : spread, master: st.master ? PHP_MASTER_MIB : 0 };
}

export function phpUsage(s: ServiceOf<'php'>): Usage {
  return poolUsage(phpPool(s), s.settings.server === 'cli' ? 'process' : 'children');
}

export function tunePhp(_plan: Plan, s: ServiceOf<'php'>): PoolTune {
  return tunePool(phpPool(s), s.limit, 'PHP child process');
}

function phpUnfit(s: ServiceOf<'php'>, t: PoolTune): TuneUnfit[] {
  return t.fits ? [] : [{ service: s.name, kind: 'php', reason: 'limit', limitMiB: s.limit, minLimitMiB: t.minLimit, message: `${s.name}: ${t.explain}` }];
}

/** The setting a person changes for the pool's size, by server. */
export const PHP_POOL_SETTING: Readonly<Record<PhpServer, string>> = { fpm: 'pm.max_children', apache: 'MaxRequestWorkers', swoole: 'worker_num', cli: 'processes' };

/** The pool at its full size against the limit; and memory_limit in every child at once. */
export const phpPoolRule: Rule = ({ plan }) => {
  const out: Finding[] = [];
  for (const s of servicesOf(plan, 'php')) {
    if (s.limit === null) continue;
    const p = phpPool(s);
    const f = poolFinding('php-children-over-limit', s.name, p, s.limit, tunePhp(plan, s), `PHP child (${PHP_POOL_SETTING[s.settings.server]})`);
    if (f) {
      out.push(f);
      continue;
    }
    const st = s.settings;
    const worst = st.processes * (st.perProcess + st.memoryLimit) + p.master; // one container's, against its limit
    if (st.server !== 'cli' && st.memoryLimit > 0 && worst > s.limit) {
      out.push(finding('php-memory-limit-over-limit', 'info', s.name,
        `${s.name}: ${st.processes} children${st.replicas > 1 ? ` in each of its ${st.replicas} containers` : ''}, each allowed ${withArticle(fmt(st.memoryLimit))} memory_limit come to ${fmt(worst)} if every request peaks at once, over its ${fmt(s.limit)} limit; the kernel kills a child instead of PHP refusing the request.`,
        `Keep ${PHP_POOL_SETTING[st.server]} × memory_limit within ${s.name}'s limit, or accept the risk: most requests stay far below memory_limit.`));
    }
  }
  return out;
};

export const php: KindEngine<'php', typeof settings, PoolTune> = {
  kind: 'php',
  settings,
  enums: PHP_ENUMS,
  usage: phpUsage,
  // assumed: php-fpm with its default pool
  starter: { name: 'php', limit: '512MiB', settings: { server: 'fpm' } },
  summary: ({ settings: st }) => `${st.replicas > 1 ? `${st.replicas} × ` : ''}${st.server}${st.server === 'fpm' ? ` pm=${st.pm}` : ''} · ${st.server === 'cli' ? '' : `${st.idle}–`}${st.processes} × ${sizeFormat(st.perProcess)} · memory_limit ${st.memoryLimit > 0 ? sizeFormat(st.memoryLimit) : 'none'}`,
  fields: [field.count('processes', 'pool size (pm.max_children)'), field.count('idle', 'children at rest (pm.start_servers)'), field.size('perProcess', 'memory per child'), field.size('memoryLimit', 'memory_limit'), field.choice('server', 'server'), field.choice('pm', 'pm'), field.bool('master', 'master process'), field.count('replicas', 'replicas')],
  findings: [phpPoolRule],
  // The catalogue's figure is documented, its missing figure assumed (catalogue.ts); any other value is the plan's own.
  basis: (s) => (s.observed ? 'observed' : catalogueBasis(s.settings.app, s.settings.perProcess, PHP_DEFAULTS.perProcess) ?? 'modelled'),
  tuning: {
    tune: tunePhp,
    apply: (s, t) => (t.recommendedProcesses === null ? s : { ...s, settings: { ...s.settings, processes: t.recommendedProcesses, idle: Math.min(s.settings.idle, t.recommendedProcesses) } }),
    unfit: phpUnfit,
    settle: (_plan, s, t) => ({ ...t, plannedProcesses: s.settings.processes }),
    minLimit: (s) => poolLimitFor(phpPool(s), s.settings.processes),
  },
};
