/**
 * Python web and worker processes in the formats: gunicorn with a WSGI app, Django's manage.py
 * (runserver, rqworker, run_huey), Flask, Celery, RQ, Dramatiq, Huey, a plain `python` script and
 * the python image; the process count from --workers / -w / --concurrency / -c / WEB_CONCURRENCY /
 * GUNICORN_CMD_ARGS, the pool (prefork, or one process for gevent, eventlet, threads, solo), and
 * the flag or variable a compose edit writes when the plan changes it.
 *
 * FastAPI is told apart (formats/kinds/fastapi.ts runs first): an ASGI server (uvicorn, hypercorn,
 * `fastapi run`, gunicorn with a uvicorn worker class, the tiangolo images) is the FastAPI model
 * with its database pools; a WSGI app under gunicorn, Django's ASGI app, and every worker are this
 * kind.
 */
import type { PythonServer } from '../../engine/kinds/python.ts';
import { base, commandOption, shellSplit } from '../compose-import/words.ts';
import type { KindFormat, Recognised, ServiceFacts } from './kind.ts';
import { catalogueImages, catalogueRead } from './catalogue.ts';
import { catalogueOf } from '../../engine/catalogue.ts';

/** The process a command starts, and where: a server or worker first (a `sh -c` script often runs
 * `manage.py migrate` before it), else Django's manage.py or a plain Python script. */
function serverOf(command: readonly string[]): { server: PythonServer; at: number } | null {
  const words = command.map(base);
  let fallback: { server: PythonServer; at: number } | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'gunicorn' || w === 'uvicorn') return { server: w, at: i };
    if (w === 'celery') return { server: 'celery', at: i };
    if (w === 'rq' || w === 'rqworker') return { server: 'rq', at: i };
    if (w === 'dramatiq') return { server: 'dramatiq', at: i };
    if (w === 'huey_consumer' || w === 'huey_consumer.py') return { server: 'huey', at: i };
    if (/^python[0-9.]*$/.test(w) && words[i + 1] === '-m') {
      const mod = words[i + 2] ?? '';
      if (mod === 'gunicorn' || mod === 'uvicorn' || mod === 'celery' || mod === 'dramatiq') return { server: mod, at: i + 2 };
    }
    if (w === 'manage.py' || w === 'django-admin') {
      const sub = words[i + 1] ?? '';
      if (/^rqworker/.test(sub)) return { server: 'rq', at: i };
      if (sub === 'run_huey') return { server: 'huey', at: i };
      if (sub === 'runserver') return { server: 'django', at: i };
      fallback ??= { server: 'django', at: i };
      continue;
    }
    if ((w === 'flask' && words[i + 1] === 'run') || (/^python[0-9.]*$/.test(w) && words[i + 1] !== 'manage.py')) fallback ??= { server: 'python', at: i };
  }
  return fallback;
}

/** The catalogue's start command of this image in the command, if any: a key of one or more words
 * (`celery worker`, so that Airflow's `celery flower` is not its worker) met as consecutive base words. */
function projectCommand(repo: string, command: readonly string[]): { word: string; processes?: number; env?: string; source: string } | null {
  const commands = catalogueOf(repo)?.commands;
  if (!commands) return null;
  const words = command.map(base);
  for (const [key, c] of Object.entries(commands)) {
    const want = key.split(' ');
    if (words.some((_, i) => want.every((w, j) => words[i + j] === w))) return { word: key, processes: c.processes, env: c.env, source: c.source };
  }
  return null;
}

function pythonRead(f: ServiceFacts, r: Recognised, repo: string): void {
  const found = serverOf(f.command);
  const server: PythonServer = found?.server ?? 'python';
  r.settings.server = server;
  const args = found ? f.command.slice(found.at + 1) : [];
  const gunicornEnv = server === 'gunicorn' && f.environment.GUNICORN_CMD_ARGS ? shellSplit(f.environment.GUNICORN_CMD_ARGS) : [];
  let count: { raw: string; from: string } | null = null;
  if (server === 'gunicorn' || server === 'uvicorn') {
    const c = commandOption(args, 'workers', 'w') ?? commandOption(gunicornEnv, 'workers', 'w');
    if (c) count = { raw: c.raw, from: commandOption(args, 'workers', 'w') ? `command ${c.shown}` : `environment GUNICORN_CMD_ARGS ${c.shown}` };
    else if (f.environment.WEB_CONCURRENCY) count = { raw: f.environment.WEB_CONCURRENCY, from: 'environment WEB_CONCURRENCY' };
    if ([...args, ...gunicornEnv].includes('--preload')) {
      r.settings.preload = true;
      r.read.push('preload on from --preload');
    }
    // uvicorn runs one process unless --workers > 1 (then a supervisor forks them).
    if (server === 'uvicorn' && !count) r.settings.master = false;
  } else if (server === 'celery') {
    const pool = commandOption(args, 'pool', 'P');
    if (pool && /^(gevent|eventlet|threads|solo)$/.test(pool.raw)) {
      r.settings.processes = 1;
      r.settings.master = false;
      r.read.push(`processes 1 from command ${pool.shown}: one process runs every task`);
    } else {
      const c = commandOption(args, 'concurrency', 'c');
      // --autoscale MAX,MIN: up to MAX processes.
      const ai = args.findIndex((w) => w === '--autoscale' || w.startsWith('--autoscale='));
      const auto = ai < 0 ? null : args[ai]!.includes('=') ? args[ai]!.split('=')[1]! : args[ai + 1];
      if (c) count = { raw: c.raw, from: `command ${c.shown}` };
      else if (auto) count = { raw: auto.split(',')[0]!, from: `command --autoscale ${auto} (its maximum)` };
      else {
        // Celery's prefork pool starts one process per CPU (Celery docs, --concurrency).
        r.settings.processes = 2;
        r.warnings.push('celery --concurrency is not set: the pool starts one process per CPU; Headroom assumes 2 (set processes in the plan)');
      }
    }
  } else if (server === 'rq' || server === 'huey' || server === 'dramatiq' || server === 'django' || server === 'python') {
    // One process each, except Dramatiq (--processes, default one per CPU) and Huey (-w threads in one process).
    if (server === 'dramatiq') {
      const c = commandOption(args, 'processes', 'p');
      if (c) count = { raw: c.raw, from: `command ${c.shown}` };
      else {
        r.settings.processes = 2;
        r.warnings.push('dramatiq --processes is not set: it starts one per CPU; Headroom assumes 2');
      }
    } else {
      r.settings.processes = 1;
      r.settings.master = server === 'rq'; // an RQ worker forks a work horse per job
      r.read.push(`processes 1: ${server === 'python' ? 'a Python process' : `${server} runs one process`}`);
    }
  }
  // The project's own start command (the catalogue's: Airflow's `celery worker` runs its worker_concurrency, not Celery's one per CPU),
  // when the command itself names no count: the project's variable, else its default.
  const project = projectCommand(repo, f.command);
  if (!count && project?.processes !== undefined) {
    const own = project.env ? f.environment[project.env] : undefined;
    if (own !== undefined && own !== '') count = { raw: own, from: `environment ${project.env}` };
    else {
      r.settings.processes = project.processes;
      r.read = r.read.filter((l) => !/^processes 1: /.test(l));
      r.read.push(`processes ${project.processes} from ${project.word}: ${project.source}`);
    }
    r.warnings = r.warnings.filter((w) => !/is not set: (the pool )?starts one (process )?per CPU/.test(w));
  }
  if (count) {
    const n = Number(count.raw);
    if (Number.isInteger(n) && n >= 1) {
      r.settings.processes = n;
      r.read.push(`processes ${n} from ${count.from}`);
    } else r.warnings.push(`the process count "${count.raw}" (${count.from}) is not a whole number ≥ 1: the default is planned`);
  } else if ((server === 'gunicorn' || server === 'uvicorn') && r.settings.processes === undefined) {
    r.settings.processes = 1;
    r.read.push(`processes 1: ${server} starts one worker when no --workers is given`);
  }
  if (catalogueRead(r, repo)) return;
  if (!r.warnings.some((w) => w.includes('catalogue'))) r.warnings.push('memory per process is Headroom\'s default (90 MiB): check it against docker stats');
}

/** The option a compose edit writes the process count into, for each server that has one. */
const COUNT_FLAGS: Partial<Record<PythonServer, { long: string; short: string }>> = {
  gunicorn: { long: 'workers', short: 'w' },
  uvicorn: { long: 'workers', short: 'w' },
  celery: { long: 'concurrency', short: 'c' },
  dramatiq: { long: 'processes', short: 'p' },
};

export const PYTHON_PORT = 8000; // gunicorn's and Django's usual port

export const python: KindFormat<'python'> = {
  kind: 'python',
  recognise: {
    images: [{ re: /^(?:[^/]+\/)*python$/, label: 'Python' }, ...catalogueImages('python')],
    commandAfterImage: true,
    command: (command) => {
      const found = serverOf(command);
      return found ? `command runs ${found.server === 'python' ? base(command[found.at]!) : found.server} (${command.slice(found.at, found.at + 3).join(' ')}): a Python process` : null;
    },
    read: pythonRead,
  },
  edit: {
    syntax: 'double-dash-one', // gunicorn's --workers N, celery's --concurrency N: one value, then the app's words
    flags: (s, old, { command, notes }) => {
      if (s.settings.processes === old.settings.processes) return [];
      const f = COUNT_FLAGS[s.settings.server];
      const found = serverOf(command);
      if (!f || !found) return [];
      const args = command.slice(found.at + 1);
      // Only the `--workers N` form can be edited in place; other forms are named for the person.
      if (args.includes(`--${f.long}`)) return [[f.long, [String(s.settings.processes)]]];
      if (commandOption(args, f.long, f.short)) notes.push(`${s.name}: set --${f.long} ${s.settings.processes} in its command by hand`);
      return [];
    },
    env: (s, old, { command, environment, notes }) => {
      if (s.settings.processes === old.settings.processes) return [];
      const f = COUNT_FLAGS[s.settings.server];
      const found = serverOf(command);
      const args = found ? command.slice(found.at + 1) : [];
      if (f && commandOption(args, f.long, f.short)) return []; // the command carries it (flags above)
      // gunicorn and uvicorn read WEB_CONCURRENCY when no --workers is given (their docs).
      if (s.settings.server === 'gunicorn' || s.settings.server === 'uvicorn') {
        if (environment.GUNICORN_CMD_ARGS && commandOption(shellSplit(environment.GUNICORN_CMD_ARGS), 'workers', 'w')) {
          notes.push(`${s.name}: set --workers ${s.settings.processes} in GUNICORN_CMD_ARGS by hand`);
          return [];
        }
        return [['WEB_CONCURRENCY', String(s.settings.processes)]];
      }
      notes.push(`${s.name}: set its process count (${s.settings.processes}) by hand: ${s.settings.server} reads it from its command or its config`);
      return [];
    },
  },
  oomScoreAdj: 1000, // (the non-negative scale of kinds/kind.ts) an app process: killed first, it restarts fastest and holds no data
  port: PYTHON_PORT,
  addImage: () => null,
  compose: ({ service: s, svc, note }) => {
    svc.image = `${s.name.toLowerCase()}:latest`;
    // Compose refuses a container_name on a service of several replicas (it names each container itself).
    if (s.settings.replicas === 1) svc.container_name = s.name;
    else svc.deploy = { replicas: s.settings.replicas };
    if (s.settings.server === 'gunicorn' || s.settings.server === 'uvicorn') svc.environment = { WEB_CONCURRENCY: String(s.settings.processes) };
    note.push(`Your Python image (${s.settings.server}, ${s.settings.processes} process${s.settings.processes === 1 ? '' : 'es'}).`);
  },
};
