/**
 * PHP in the formats: how compose shows it (the php image and the catalogue's PHP apps, `php-fpm`,
 * `apache2-foreground`, `php` scripts), the server from the command or the image's tag (`fpm`,
 * `apache`, `cli`), the pool from a mounted FPM pool file (pm, pm.max_children, pm.start_servers)
 * or Apache's MaxRequestWorkers, memory_limit from PHP_MEMORY_LIMIT or `-d memory_limit=`, and the
 * notes a compose edit leaves when the plan changes the pool (it lives in a config file).
 */
import type { PhpServer } from '../../engine/kinds/php.ts';
import { PHP_SERVER_DEFAULTS } from '../../engine/kinds/php.ts';
import { catalogueOf } from '../../engine/catalogue.ts';
import { sizeToPlan } from '../../engine/units.ts';
import { base } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

/** The server a command starts. */
function serverOf(command: readonly string[]): { server: PhpServer; word: string } | null {
  const words = command.map(base);
  for (const w of words) {
    if (/^php-fpm[0-9.]*$/.test(w)) return { server: 'fpm', word: w };
    if (w === 'apache2-foreground' || w === 'httpd-foreground' || w === 'apache2ctl') return { server: 'apache', word: w };
  }
  // A PHP script, Laravel's artisan, or cron running the app's PHP jobs (nextcloud's /cron.sh runs busybox crond, which runs cron.php: nextcloud/docker).
  for (const w of words) if (/^php[0-9.]*$/.test(w) || w === 'artisan' || w === 'cron.sh' || w === 'crond') return { server: 'cli', word: w };
  return null;
}

/** The server the image's tag names (php:8.3-fpm, nextcloud:fpm-alpine, wordpress:apache): the official images' convention. */
function serverOfTag(image: string | null): PhpServer | null {
  const last = image?.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1).split('@')[0]! : '';
  if (/(^|-)fpm(-|$)/.test(tag)) return 'fpm';
  if (/(^|-)apache(-|$)/.test(tag)) return 'apache';
  if (/(^|-)(cli|zts)(-|$)/.test(tag)) return 'cli';
  return null;
}

/** A PHP size (memory_limit's syntax: 128M, 1G, -1 for none; PHP manual, ini shorthand), in MiB; null if not one. */
export function phpSize(v: string): number | null {
  const m = /^\s*(-1|\d+)\s*([KkMmGg])?\s*$/.exec(v);
  if (!m) return null;
  if (m[1] === '-1') return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toUpperCase();
  return unit === 'G' ? n * 1024 : unit === 'M' ? n : unit === 'K' ? n / 1024 : n / 1048576;
}

/** The pools of an FPM pool file (php-fpm.conf's ini syntax: a `[name]` section per pool), each its `key = value` lines. */
function poolSections(text: string): Array<Record<string, string>> {
  const pools: Array<Record<string, string>> = [];
  let cur: Record<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith(';') || line === '') continue;
    if (/^\[.+\]$/.test(line)) {
      cur = {};
      pools.push(cur);
      continue;
    }
    const m = /^([\w.]+)\s*=\s*(.*?)$/.exec(line);
    if (!m) continue;
    if (!cur) {
      cur = {};
      pools.push(cur);
    }
    cur[m[1]!] = m[2]!;
  }
  return pools.filter((p) => p.pm !== undefined || p['pm.max_children'] !== undefined);
}

function phpRead(f: ServiceFacts, r: Recognised, repo: string): void {
  catalogueRead(r, repo);
  const entry = catalogueOf(repo);
  const byCommand = serverOf(f.command);
  const byTag = serverOfTag(f.image);
  // An entry's own server (Appwrite's Swoole) wins over the `php` word that starts it; then the command, the tag, the entry, FPM.
  const server: PhpServer = entry?.server === 'swoole' ? 'swoole' : byCommand?.server ?? byTag ?? (entry?.server as PhpServer | undefined) ?? (repo === 'php' ? 'cli' : 'fpm');
  r.settings.server = server;
  r.read.push(`server ${server} from ${entry?.server === 'swoole' ? `the catalogue (${entry.label})` : byCommand ? `command ${byCommand.word}` : byTag ? `the image's tag (${f.image})` : entry?.server ? `the catalogue (${entry.label})` : repo === 'php' ? "the php image's default command (php -a)" : 'the usual setup (PHP-FPM)'}`);
  // The image's own pool when the catalogue knows it and the server is the entry's (Firefly III's serversideup base); else the server's stock pool.
  const own = entry?.pool && entry.server === server ? entry.pool : null;
  const d = own ? { processes: own.processes, idle: own.idle, source: own.source } : PHP_SERVER_DEFAULTS[server];
  r.settings.processes = d.processes;
  r.settings.idle = d.idle;
  if (own) r.read.push(`processes ${own.processes}, idle ${own.idle} from the image's pool: ${own.source}`);
  if (server === 'cli') r.settings.master = false;
  let pool = false;
  if (server === 'fpm') {
    for (const [path, text] of Object.entries(f.mounted)) {
      if (!/\.conf$/.test(path) || !/^\s*pm\s*=|pm\.max_children/m.test(text)) continue;
      // Each pool forks its own children: a file with several pools (mailcow's) sums them.
      const pools = poolSections(text);
      const modes = [...new Set(pools.map((e) => e.pm).filter((m): m is string => m !== undefined && /^(static|dynamic|ondemand)$/.test(m)))];
      if (modes.length === 1) {
        r.settings.pm = modes[0];
        r.read.push(`pm ${modes[0]} from ${path}`);
      }
      for (const [key, setting] of [['pm.max_children', 'processes'], ['pm.start_servers', 'idle']] as const) {
        const values = pools.map((e) => e[key]).filter((v): v is string => v !== undefined);
        if (values.length === 0) continue;
        if (values.every((v) => /^\d+$/.test(v) && (setting === 'idle' || Number(v) >= 1))) {
          const total = values.reduce((n, v) => n + Number(v), 0);
          r.settings[setting] = total;
          r.read.push(`${setting} ${total} from ${path} ${key}${values.length > 1 ? ` (${values.join(' + ')}: ${values.length} pools)` : ''}`);
          pool = pool || setting === 'processes';
        } else r.warnings.push(`${key} in ${path} is not a whole number: ignored`);
      }
    }
  }
  if (!pool && !own && server !== 'cli') r.warnings.push(`the pool's size is not in the compose file: ${d.source} is planned (set processes in the plan)`);
  if (server === 'cli') r.read.push('processes 1: one PHP process');
  // memory_limit: `-d memory_limit=…` on the command wins over the images' PHP_MEMORY_LIMIT (Nextcloud's, 512M by default).
  const flag = f.command.map((w) => /^memory_limit=(.+)$/.exec(w)?.[1]).filter((v) => v !== undefined).pop();
  const env = f.environment.PHP_MEMORY_LIMIT;
  const raw = flag ?? env;
  if (raw !== undefined && raw !== '') {
    const mib = phpSize(raw);
    if (mib === null) r.warnings.push(`memory_limit "${raw}" is not a PHP size (e.g. 512M): ignored`);
    else if (mib === 0) {
      r.settings.memoryLimit = 0;
      r.read.push(`memoryLimit none (memory_limit -1) from ${flag !== undefined ? 'command -d' : 'environment PHP_MEMORY_LIMIT'}: a request may take any memory`);
    }
    else {
      r.settings.memoryLimit = sizeToPlan(mib);
      r.read.push(`memoryLimit ${sizeToPlan(mib)} from ${flag !== undefined ? 'command -d memory_limit' : 'environment PHP_MEMORY_LIMIT'}`);
    }
  } else if (own) {
    r.settings.memoryLimit = sizeToPlan(own.memoryLimit);
    r.read.push(`memoryLimit ${sizeToPlan(own.memoryLimit)}: the image's PHP_MEMORY_LIMIT default (${own.source})`);
  } else if (entry?.id === 'nextcloud') {
    // nextcloud/docker's Dockerfile: ENV PHP_MEMORY_LIMIT 512M.
    r.settings.memoryLimit = '512MiB';
    r.read.push("memoryLimit 512MiB: the nextcloud image's PHP_MEMORY_LIMIT default (nextcloud/docker Dockerfile)");
  }
  if (!r.settings.perProcess && !r.warnings.some((w) => w.includes('catalogue'))) r.warnings.push('memory per child is Headroom\'s default for PHP (50 MiB): check it against docker stats');
}

export const PHP_PORT = 9000; // PHP-FPM's FastCGI port (the php image's www.conf: listen = 9000)

export const php: KindFormat<'php'> = {
  kind: 'php',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*php$/, label: 'PHP' }, ...catalogueImages('php')],
    commandAfterImage: true,
    command: (command) => {
      const found = serverOf(command);
      // cron alone says nothing of PHP: only on a PHP image (the reader above) is it PHP's cron.
      return found && found.word !== 'cron.sh' && found.word !== 'crond' ? `command runs ${found.word}: ${found.server === 'cli' ? 'a PHP process' : found.server === 'fpm' ? "PHP-FPM's pool" : 'Apache with mod_php'}` : null;
    },
    read: phpRead,
  },
  edit: {
    env: (s, old, { notes }) => {
      if (s.settings.processes !== old.settings.processes && s.settings.server !== 'cli') {
        const key = s.settings.server === 'fpm' ? 'pm.max_children in its pool file (www.conf)' : s.settings.server === 'apache' ? "MaxRequestWorkers in Apache's mpm_prefork.conf" : "worker_num in the Swoole server's settings";
        notes.push(`${s.name}: set ${key} to ${s.settings.processes} by hand: it lives in a config file the compose file does not carry`);
      }
      // PHP_MEMORY_LIMIT is the images' variable (nextcloud's, many others'); the plain php image reads php.ini only.
      if (s.settings.memoryLimit !== old.settings.memoryLimit) return [['PHP_MEMORY_LIMIT', s.settings.memoryLimit > 0 ? `${Math.floor(s.settings.memoryLimit)}M` : '-1']];
      return [];
    },
  },
  oomScoreAdj: 1000, // (the non-negative scale of kinds/kind.ts) an app process: killed first, it restarts fastest and holds no data
  port: PHP_PORT,
  addImage: () => null,
  compose: ({ service: s, svc, note }) => {
    svc.image = `${s.name.toLowerCase()}:latest`;
    if (s.settings.replicas === 1) svc.container_name = s.name;
    else svc.deploy = { replicas: s.settings.replicas };
    svc.environment = { PHP_MEMORY_LIMIT: s.settings.memoryLimit > 0 ? `${Math.floor(s.settings.memoryLimit)}M` : '-1' };
    note.push(`Your PHP image (${s.settings.server}${s.settings.server === 'cli' ? '' : `, a pool of up to ${s.settings.processes}`}).`);
  },
};
