/**
 * Reverse proxies in the formats: how compose shows them (nginx and its variants, Traefik, Caddy,
 * HAProxy, Envoy, Kong), the settings a mounted nginx.conf or haproxy.cfg gives away
 * (worker_processes, worker_connections, the proxy buffers, keys_zone and limit_req zones; maxconn,
 * tune.bufsize, nbthread) and Kong's KONG_* variables, and the exported nginx.conf.
 *
 * nginx.conf is read with a small tokenizer (nginx's own syntax: words, quoted strings, `#`
 * comments, directives ended by `;`, blocks in braces; nginx docs, "Beginner's Guide"), enough to
 * find the directives that size memory; every other directive is left alone.
 */
import type { ServiceOf } from '../../engine/schema.ts';
import { PROXY_ENUMS, proxyWorkers, type ProxyServer } from '../../engine/kinds/proxy.ts';
import { sizeToPlan } from '../../engine/units.ts';
import { commentText, ExportError, GENERATED_BY, hasControl } from '../export/common.ts';
import { base } from '../compose-import/words.ts';
import { APP_PORT } from './fastapi.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';
import { catalogueOf } from '../../engine/catalogue.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';

export const NGINX_IMAGE = 'nginx:1.27';
export const PROXY_PORT = 80;
export const NGINX_CONF = { base: 'nginx', ext: 'conf', mount: '/etc/nginx/nginx.conf' } as const;

// ---------------------------------------------------------------------------------------------
// nginx.conf

/** nginx's directives as [name, args] in file order (blocks flattened), comments and quotes handled. */
export function nginxDirectives(text: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  let words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === ';' || c === '{' || c === '}') {
      if (words.length) out.push([words[0]!.toLowerCase(), words.slice(1)]);
      words = [];
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let w = '';
      for (; j < text.length && text[j] !== c; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        w += text[j];
      }
      words.push(w);
      i = j + 1;
    } else {
      let w = '';
      while (i < text.length && !/[\s;{}]/.test(text[i]!)) w += text[i++];
      words.push(w);
    }
  }
  return out;
}

/** nginx sizes: bytes bare, k/K and m/M (nginx docs, "Syntax": sizes), in MiB; null when not one. */
export function nginxSizeParse(v: string): number | null {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v.trim());
  if (!m) return null;
  const mult: Record<string, number> = { '': 1 / 1048576, k: 1 / 1024, m: 1, g: 1024 };
  return Number(m[1]) * mult[m[2]!.toLowerCase()]!;
}

type Read = { from: string; r: Recognised };

function readNginx(text: string, { from, r }: Read): void {
  const d = nginxDirectives(text);
  const last = (name: string) => [...d].reverse().find(([n]) => n === name)?.[1];
  const wp = last('worker_processes');
  if (wp) {
    if (wp[0] === 'auto') r.read.push(`workers auto (one per core) from ${from} worker_processes auto`);
    else if (/^\d+$/.test(wp[0] ?? '') && Number(wp[0]) >= 1) {
      r.settings.workers = Number(wp[0]);
      r.read.push(`workers ${wp[0]} from ${from} worker_processes ${wp[0]}`);
    } else r.warnings.push(`worker_processes "${wp.join(' ')}" (${from}) is not auto or a number ≥ 1: ignored`);
  }
  const wc = last('worker_connections');
  if (wc) {
    if (/^\d+$/.test(wc[0] ?? '') && Number(wc[0]) >= 1) {
      r.settings.workerConnections = Number(wc[0]);
      r.read.push(`workerConnections ${wc[0]} from ${from} worker_connections ${wc[0]}`);
    } else r.warnings.push(`worker_connections "${wc.join(' ')}" (${from}) is not a number ≥ 1: ignored`);
  }
  // Shared memory zones: keys_zone=name:size (proxy_cache_path, fastcgi_cache_path…), zone=name:size (limit_req_zone, limit_conn_zone).
  let zones = 0;
  const zoneNames: string[] = [];
  for (const [name, args] of d) {
    if (!/_cache_path$|^limit_req_zone$|^limit_conn_zone$/.test(name)) continue;
    for (const a of args) {
      const m = /^(?:keys_)?zone=([^:]+):(\S+)$/.exec(a);
      const mib = m ? nginxSizeParse(m[2]!) : null;
      if (m && mib !== null) {
        zones += mib;
        zoneNames.push(`${name} ${m[1]}:${m[2]}`);
      }
    }
  }
  if (zones > 0) {
    r.settings.sharedZones = sizeToPlan(zones);
    r.read.push(`sharedZones ${sizeToPlan(zones)} from ${from} ${zoneNames.join(', ')}`);
  }
  // A proxied request's buffers: client_header_buffer_size + proxy_buffer_size + proxy_buffers N × S (nginx docs defaults: 1k, 4k, 8 4k).
  const chb = nginxSizeParse(last('client_header_buffer_size')?.[0] ?? '1k');
  const pbs = nginxSizeParse(last('proxy_buffer_size')?.[0] ?? '4k');
  const pb = last('proxy_buffers');
  const pbTotal = pb && /^\d+$/.test(pb[0] ?? '') ? (nginxSizeParse(pb[1] ?? '') ?? 4 / 1024) * Number(pb[0]) : 8 * (4 / 1024);
  if ((last('client_header_buffer_size') || last('proxy_buffer_size') || pb) && chb !== null && pbs !== null) {
    const total = chb + pbs + pbTotal;
    r.settings.bufferPerConnection = sizeToPlan(total);
    r.read.push(`bufferPerConnection ${sizeToPlan(total)} from ${from} client_header_buffer_size + proxy_buffer_size + proxy_buffers`);
  }
}

/** haproxy.cfg: `maxconn`, `tune.bufsize`, `nbthread` in the global section (HAProxy configuration manual). */
function readHaproxy(text: string, { from, r }: Read): void {
  let global = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (/^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|cache|mailers)\b/.test(line)) global = line.startsWith('global');
    if (!global) continue;
    const [k, v] = line.split(/\s+/);
    if (k === 'maxconn' && /^\d+$/.test(v ?? '')) {
      r.settings.workerConnections = Number(v);
      r.read.push(`workerConnections ${v} from ${from} maxconn ${v}`);
    } else if (k === 'nbthread' && /^\d+$/.test(v ?? '')) {
      r.settings.workers = Number(v);
      r.read.push(`workers ${v} from ${from} nbthread ${v}`);
    } else if (k === 'tune.bufsize' && /^\d+$/.test(v ?? '')) {
      r.settings.bufferPerConnection = sizeToPlan((2 * Number(v)) / 1048576);
      r.read.push(`bufferPerConnection 2 × ${v} bytes from ${from} tune.bufsize ${v}`);
    }
  }
}

type ProxyImage = { re: RegExp; label: string; server: ProxyServer };
export const PROXY_IMAGES: readonly ProxyImage[] = [
  { re: /^(?:[^/]+\/)*(?:nginx|nginx-unprivileged|nginx-proxy|openresty)$/, label: 'nginx', server: 'nginx' },
  { re: /^(?:[^/]+\/)*traefik$/, label: 'Traefik', server: 'traefik' },
  { re: /^(?:[^/]+\/)*caddy$/, label: 'Caddy', server: 'caddy' },
  { re: /^(?:[^/]+\/)*haproxy(?:tech\/haproxy-[a-z]+)?$/, label: 'HAProxy', server: 'haproxy' },
  { re: /^(?:[^/]+\/)*envoy(?:-distroless)?$/, label: 'Envoy', server: 'envoy' },
  { re: /^(?:[^/]+\/)*kong(?:-gateway)?$/, label: 'Kong (nginx + LuaJIT)', server: 'kong' },
];

const COMMANDS: Record<string, ProxyServer> = { nginx: 'nginx', openresty: 'nginx', traefik: 'traefik', caddy: 'caddy', haproxy: 'haproxy', envoy: 'envoy', kong: 'kong' };

function proxyRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const server = PROXY_IMAGES.find((i) => i.re.test(repo))?.server ?? catalogueOf(repo)?.server ?? (Object.entries(COMMANDS).find(([w]) => f.command.map(base).includes(w))?.[1] ?? 'nginx');
  r.settings.server = server;
  catalogueRead(r, repo);
  if (server === 'nginx') {
    const conf = Object.entries(f.mounted).find(([path]) => /(^|\/)nginx\.conf$/.test(path)) ?? null;
    const more = Object.entries(f.mounted).filter(([path]) => /\/(conf\.d|sites-enabled|templates)\/[^/]+$/.test(path));
    if (conf) readNginx(conf[1], { from: conf[0], r });
    for (const [path, text] of more) readNginx(text, { from: path, r });
    if (!conf) r.read.push('nginx.conf: the image\'s own (worker_processes auto, worker_connections 1024 in the official image)');
    if (!conf && !r.settings.workerConnections) r.settings.workerConnections = 1024; // the official image's /etc/nginx/nginx.conf
  } else if (server === 'haproxy') {
    const cfg = Object.entries(f.mounted).find(([path]) => /haproxy\.cfg$/.test(path));
    if (cfg) readHaproxy(cfg[1], { from: cfg[0], r });
  } else if (server === 'kong') {
    const env = f.environment;
    const wp = env.KONG_NGINX_WORKER_PROCESSES;
    if (wp && /^\d+$/.test(wp)) {
      r.settings.workers = Number(wp);
      r.read.push(`workers ${wp} from environment KONG_NGINX_WORKER_PROCESSES`);
    }
    const wc = env.KONG_NGINX_EVENTS_WORKER_CONNECTIONS;
    if (wc && /^\d+$/.test(wc)) {
      r.settings.workerConnections = Number(wc);
      r.read.push(`workerConnections ${wc} from environment KONG_NGINX_EVENTS_WORKER_CONNECTIONS`);
    } else r.settings.workerConnections = 16384; // Kong's nginx_events_worker_connections default (kong.conf.default)
    const cache = env.KONG_MEM_CACHE_SIZE;
    if (cache) {
      const mib = nginxSizeParse(cache);
      // The model adds Kong's 128m default; a different size is its difference.
      if (mib !== null) {
        r.settings.sharedZones = sizeToPlan(Math.max(0, mib - 128));
        r.read.push(`mem_cache_size ${cache} from environment KONG_MEM_CACHE_SIZE`);
      } else r.warnings.push(`KONG_MEM_CACHE_SIZE=${cache} is not an nginx size: ignored`);
    } else r.read.push('mem_cache_size 128m: Kong\'s default (kong.conf.default)');
  }
}

// ---------------------------------------------------------------------------------------------
// The exported nginx.conf

/** A word nginx takes unquoted, or an error (what the writer puts in the file comes from the plan). */
function nginxWord(s: string): string {
  if (hasControl(s) || !/^[A-Za-z0-9._:/$-]+$/.test(s)) throw new ExportError(`cannot write ${JSON.stringify(s)} into nginx.conf: only letters, digits and . _ : / - are written unquoted`);
  return s;
}

export type NginxConfOptions = { listen: string; upstream: string | null; pid?: string; errorLog?: string; tempPrefix?: string; resolver?: string | null };

/** nginx.conf for one proxy service: workers, connections and zones from the plan, one server proxying to the app. */
export function nginxConf(s: ServiceOf<'proxy'>, o: NginxConfOptions, planName?: string): string {
  const st = s.settings;
  const lines: string[] = [];
  const c = (t: string) => lines.push(`# ${commentText(t)}`);
  c(`nginx.conf for the service "${s.name}". ${GENERATED_BY}${planName ? ` "${planName}"` : ''}.`);
  c(`${proxyWorkers(s)} worker(s) × worker_connections ${st.workerConnections}; each proxied request holds up to client_header_buffer_size + proxy_buffer_size + proxy_buffers (nginx docs).`);
  lines.push(`worker_processes ${st.workers > 0 ? st.workers : 'auto'};`);
  if (o.pid) lines.push(`pid ${nginxWord(o.pid)};`);
  if (o.errorLog) lines.push(`error_log ${nginxWord(o.errorLog)};`);
  lines.push('', 'events {', `    worker_connections ${st.workerConnections};`, '}', '', 'http {');
  lines.push('    access_log off;', '    keepalive_timeout 75s;');
  if (o.tempPrefix) for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) lines.push(`    ${t}_temp_path ${nginxWord(`${o.tempPrefix}/${t}`)};`);
  if (st.sharedZones > 0) {
    c('Shared memory for the proxy cache keys (keys_zone), as planned.');
    lines.push(`    proxy_cache_path ${nginxWord(o.tempPrefix ? `${o.tempPrefix}/cache` : '/var/cache/nginx/headroom')} keys_zone=headroom:${Math.max(1, Math.round(st.sharedZones))}m;`);
  }
  if (o.resolver) lines.push(`    resolver ${nginxWord(o.resolver)} valid=30s;`);
  lines.push('    server {', `        listen ${nginxWord(o.listen)};`, '        location / {');
  if (o.upstream) {
    // A variable defers the name's lookup to the resolver, so nginx starts before the app does.
    lines.push(`            set $upstream ${nginxWord(o.upstream)};`, '            proxy_pass $upstream;', '            proxy_http_version 1.1;', '            proxy_set_header Connection "";');
  } else lines.push('            return 200 "ok\\n";');
  lines.push('        }', '    }', '}', '');
  return lines.join('\n');
}

/** The first app service of the stack the proxy sends traffic to, if any. */
function upstreamOf(stack: Stack): string | null {
  const app = stack.app[0] ?? stack.of('python')[0] ?? stack.of('node')[0];
  if (!app) return null;
  return `http://${app.name}:${APP_PORT}`;
}

// ---------------------------------------------------------------------------------------------
// The kind

const KONG_ENV = { workers: 'KONG_NGINX_WORKER_PROCESSES', connections: 'KONG_NGINX_EVENTS_WORKER_CONNECTIONS' } as const;

export const proxy: KindFormat<'proxy'> = {
  kind: 'proxy',
  recognise: {
    images: [...PROXY_IMAGES.map((i) => ({ re: i.re, label: i.label })), ...catalogueImages('proxy')],
    command: (_command, words) => {
      const w = words.find((x) => x in COMMANDS && x !== 'kong');
      return w ? `command runs ${w}: a reverse proxy` : null;
    },
    read: proxyRead,
  },
  edit: {
    env: (s, old, { notes }) => {
      const out: Array<[string, string]> = [];
      const changedWorkers = s.settings.workers !== old.settings.workers;
      const changedConns = s.settings.workerConnections !== old.settings.workerConnections;
      if (s.settings.server === 'kong') {
        if (changedWorkers && s.settings.workers > 0) out.push([KONG_ENV.workers, String(s.settings.workers)]);
        if (changedConns) out.push([KONG_ENV.connections, String(s.settings.workerConnections)]);
      } else if (changedWorkers || changedConns) {
        const what = [changedWorkers ? `worker_processes ${s.settings.workers || 'auto'}` : '', changedConns ? `worker_connections ${s.settings.workerConnections}` : ''].filter(Boolean).join(' and ');
        notes.push(`${s.name}: set ${what} in its ${s.settings.server === 'haproxy' ? 'haproxy.cfg (maxconn, nbthread)' : s.settings.server === 'nginx' ? 'nginx.conf' : 'configuration'} by hand`);
      }
      return out;
    },
  },
  oomScoreAdj: 300, // the door to everything: kill apps first, keep the proxy up (beside alertmanager; never negative: kinds/kind.ts)
  port: PROXY_PORT,
  addImage: (s) => (s.settings.server === 'nginx' ? NGINX_IMAGE : null),
  configs: { conf: NGINX_CONF },
  compose: ({ stack, service: s, svc, note, healthcheck }) => {
    svc.container_name = s.name;
    svc.ports = [`${PROXY_PORT}:${PROXY_PORT}`];
    if (s.settings.server !== 'nginx') {
      svc.image = `${s.settings.server}:latest`;
      note.push(`${s.settings.server}: pin its image and give it its own configuration; Headroom writes nginx.conf only for nginx.`);
      return;
    }
    const conf = stack.configPath(s, 'conf');
    svc.image = NGINX_IMAGE;
    svc.volumes = [`./${conf}:${NGINX_CONF.mount}:ro`];
    svc.healthcheck = healthcheck(['CMD', 'nginx', '-t', '-q']);
    note.push(`worker_processes, worker_connections and zones: ${conf}.`);
  },
  files: (stack, services) => services.filter((s) => s.settings.server === 'nginx').map((s) => ({
    path: stack.configPath(s, 'conf'),
    // Docker's embedded DNS at 127.0.0.11 resolves the app's service name (Docker docs, networking).
    content: nginxConf(s, { listen: String(PROXY_PORT), upstream: upstreamOf(stack), resolver: '127.0.0.11' }, stack.plan.name),
    description: `nginx settings for ${s.name}: workers, connections, zones`,
  })),
};

export const PROXY_SERVERS: readonly string[] = PROXY_ENUMS.server;
