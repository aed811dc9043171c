/**
 * The app in the formats: how compose shows a FastAPI (or any ASGI/WSGI) app (uvicorn, gunicorn,
 * hypercorn, `fastapi run`, the tiangolo images, `--workers` and WEB_CONCURRENCY), and the exported
 * service: the operator's own image with the variables it reads and Prometheus's scrape target.
 */
import { appDbOf } from '../export/common.ts';
import { base } from '../compose-import/words.ts';
import { POSTGRES_PASSWORD, POSTGRES_PORT } from './postgres.ts';
import { PGBOUNCER_PORT } from './pgbouncer.ts';
import { REDIS_PORT } from './redis.ts';
import type { KindFormat, Recognised, ServiceFacts, Stack } from './kind.ts';

/** uvicorn and gunicorn read the number of workers from it when no --workers is given (their docs); the tiangolo images too. */
export const WORKERS_ENV = 'WEB_CONCURRENCY';
export const APP_IMAGE = 'app:latest'; // the operator's own image
export const APP_PORT = 8000; // uvicorn's and gunicorn's usual port in these images

const SERVER_RE = /^(uvicorn|gunicorn|hypercorn|fastapi)$/;

/** gunicorn's worker class is uvicorn's (`-k uvicorn.workers.UvicornWorker`, `--worker-class=…`): an ASGI app. */
export function uvicornWorker(args: readonly string[]): boolean {
  return args.some((w, i) => /^(?:-k|--worker-class)=?uvicorn/i.test(w) || ((args[i - 1] === '-k' || args[i - 1] === '--worker-class') && /^uvicorn/i.test(w)));
}

/** A Django ASGI application path (`config.asgi:application`, `mysite.asgi`). */
const isDjangoApp = (w: string) => /(^|\.)asgi(:application)?$/.test(w);

function fastapiRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const words = f.command;
  const server = words.map(base).find((w) => SERVER_RE.test(w));
  let workers: { n: string; from: string } | null = null;
  for (let i = 0; i < words.length; i++) {
    const m = /^(?:--workers|-w)(?:=?(\d+))?$/.exec(words[i]!) ?? /^-w(\d+)$/.exec(words[i]!);
    if (!m) continue;
    const n = m[1] ?? words[i + 1];
    if (n !== undefined) workers = { n, from: `command ${m[1] ? words[i] : `${words[i]} ${n}`}` };
  }
  // The tiangolo images also read MAX_WORKERS.
  if (!workers && f.environment[WORKERS_ENV]) workers = { n: f.environment[WORKERS_ENV], from: `environment ${WORKERS_ENV}` };
  if (workers) {
    const n = Number(workers.n);
    if (Number.isInteger(n) && n >= 1) {
      r.settings.workers = n;
      r.read.push(`workers ${n} from ${workers.from}`);
    } else r.warnings.push(`workers "${workers.n}" (${workers.from}) is not a whole number ≥ 1: the default is planned`);
  } else if (server && !/^tiangolo\//.test(repo)) {
    // uvicorn, gunicorn, hypercorn and `fastapi run` start one worker by default (their docs).
    r.settings.workers = 1;
    r.read.push(`workers 1: ${server} starts one worker when no --workers is given`);
  } else {
    r.warnings.push('workers: not set in the compose file; Headroom assumes 2 (set it in the plan)');
  }
  if (words.includes('--preload')) {
    r.settings.preload = true;
    r.read.push('preload on from command --preload');
  }
  r.warnings.push('per-worker memory and the SQLAlchemy pool (poolSize 5, maxOverflow 10) are Headroom\'s defaults: check them against docker stats');
}

/** Where the app's database connections go: the first pgBouncer when there is one, else the first Postgres. */
export function appDatabaseHost(stack: Stack): { host: string; port: number; via: 'pgbouncer' | 'postgres' } | null {
  const b = stack.pgbouncer[0];
  if (b) return { host: b.name, port: PGBOUNCER_PORT, via: 'pgbouncer' };
  const pg = stack.postgres[0];
  return pg ? { host: pg.name, port: POSTGRES_PORT, via: 'postgres' } : null;
}

export const fastapi: KindFormat<'fastapi'> = {
  kind: 'fastapi',
  recognise: {
    images: [{ re: /^tiangolo\/uvicorn-gunicorn(?:-fastapi|-starlette)?$/, label: 'a FastAPI app on uvicorn/gunicorn' }],
    commandAfterImage: true,
    command: (command, words) => {
      const shown = (i: number) => `"${command.slice(i, i + 3).join(' ')}${command.length > i + 3 ? ' …' : ''}"`;
      // An ASGI server is the FastAPI model (an async API with database pools); a WSGI app under
      // gunicorn and Django's ASGI app are Python processes (formats/kinds/python.ts).
      const i = words.findIndex((w) => /^(uvicorn|hypercorn)$/.test(w));
      if (i >= 0 && !command.slice(i + 1).some(isDjangoApp)) return `command runs ${words[i]} (${shown(i)}): an ASGI app, planned as the FastAPI model (workers × memory per worker)`;
      const g = words.indexOf('gunicorn');
      if (g >= 0 && uvicornWorker(command.slice(g + 1))) return `command runs gunicorn with uvicorn workers (${shown(g)}): an ASGI app, planned as the FastAPI model (workers × memory per worker)`;
      const fa = words.findIndex((w, k) => w === 'fastapi' && /^(run|dev)$/.test(words[k + 1] ?? ''));
      return fa >= 0 ? `command runs the FastAPI CLI (${shown(fa)})` : null;
    },
    read: fastapiRead,
  },
  oomScoreAdj: 1000, // first to be killed: it restarts fastest and holds no data (non-negative: kinds/kind.ts)
  port: APP_PORT,
  // The operator builds the app's image: a compose edit cannot add one.
  addImage: () => null,
  compose: ({ stack, service: s, svc, note, secret, healthy, healthcheck }) => {
    const a = s.settings;
    const db = appDatabaseHost(stack);
    const redis = stack.redis[0];
    svc.image = APP_IMAGE;
    note.push(`Your application image. It reads the variables below (gunicorn and uvicorn both read ${WORKERS_ENV}).`);
    if (a.replicas === 1) svc.container_name = s.name;
    else svc.deploy = { replicas: a.replicas };
    svc.ports = [a.replicas === 1 ? `${APP_PORT}:${APP_PORT}` : `${APP_PORT}-${APP_PORT + a.replicas - 1}:${APP_PORT}`];
    const env: Record<string, string> = {
      [WORKERS_ENV]: String(a.workers),
      DB_POOL_SIZE: String(a.poolSize),
      DB_MAX_OVERFLOW: String(a.maxOverflow),
    };
    if (a.preload) env.GUNICORN_CMD_ARGS = '--preload';
    const deps: string[] = [];
    if (db) {
      const role = appDbOf(stack.postgres[0]);
      env.DATABASE_URL = `postgresql://${encodeURIComponent(role.user)}@${db.host}:${db.port}/${encodeURIComponent(role.database)}`;
      env.DATABASE_PASSWORD_FILE = `/run/secrets/${POSTGRES_PASSWORD.name}`;
      svc.secrets = [secret(POSTGRES_PASSWORD)];
      deps.push(db.host);
      if (db.via === 'pgbouncer') note.push('DATABASE_URL points at pgBouncer (transaction pooling: no session state across transactions).');
    }
    if (redis) {
      env.REDIS_URL = `redis://${redis.name}:${REDIS_PORT}/0`;
      deps.push(redis.name);
    }
    svc.environment = env;
    if (deps.length) svc.depends_on = healthy(deps);
    svc.healthcheck = healthcheck(['CMD', 'python', '-c', `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${APP_PORT}/health', timeout=4)`]);
  },
  // prometheus-fastapi-instrumentator serves /metrics on the app's port; DNS finds every replica.
  scrapeTarget: (a) => ({ job: a.name, service: a.name, target: a.name, dns: true, path: '/metrics', port: APP_PORT }),
};
