/**
 * A small client of Docker's Engine API (https://docs.docker.com/reference/api/engine/) over its
 * unix socket, with node:http: the few GETs `observe` needs (/info, /containers/json,
 * /containers/{id}/json, /containers/{id}/stats, /events). No dependency: dockerode (the
 * well-kept client) brings docker-modem, ssh2 and their native parts for four GET requests.
 *
 * Where Docker is: $DOCKER_HOST (unix:///path or tcp://host:port without TLS), else
 * /var/run/docker.sock, as the docker CLI does. Every failure the user can fix (no socket,
 * permission denied, TLS asked for) is a DockerApiError with the lines to print.
 */
import { request, type RequestOptions } from 'node:http';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Assumed: a GET on a local engine answers in well under this; stats with one-shot in ~0.1 s. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A response larger than this is not Docker's (a container's stats are ~5 kB, /info ~10 kB). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class DockerApiError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export type DockerEndpoint = { label: string; socketPath?: string; host?: string; port?: number };

/** The endpoint named by DOCKER_HOST (or the default socket). */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const raw = env.DOCKER_HOST?.trim();
  if (!raw) return { label: `unix://${DEFAULT_DOCKER_SOCKET}`, socketPath: DEFAULT_DOCKER_SOCKET };
  if (raw.startsWith('unix://')) {
    const path = raw.slice('unix://'.length);
    if (!path) throw new DockerApiError([`error: DOCKER_HOST=${raw}: expected unix:///path/to/docker.sock`]);
    return { label: raw, socketPath: path };
  }
  if (raw.startsWith('tcp://') || raw.startsWith('http://')) {
    if (env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0') {
      throw new DockerApiError([`error: DOCKER_HOST=${raw} with DOCKER_TLS_VERIFY: observe speaks to Docker over a unix socket or plain TCP, not TLS`, 'run it on the Docker host itself (DOCKER_HOST unset: /var/run/docker.sock)']);
    }
    let u: URL;
    try {
      u = new URL(raw.replace(/^tcp:/, 'http:'));
    } catch {
      throw new DockerApiError([`error: DOCKER_HOST=${raw}: expected tcp://HOST:PORT or unix:///path/to/docker.sock`]);
    }
    return { label: raw, host: u.hostname, port: Number(u.port || 2375) };
  }
  throw new DockerApiError([`error: DOCKER_HOST=${raw}: observe reads Docker over unix:///path/to/docker.sock or tcp://HOST:PORT (ssh:// and others are not supported)`, 'run it on the Docker host itself, where DOCKER_HOST can stay unset']);
}

/** The lines for a connection that failed before Docker answered. */
function connectError(ep: DockerEndpoint, e: NodeJS.ErrnoException): DockerApiError {
  const where = ep.socketPath ?? `${ep.host}:${ep.port}`;
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return new DockerApiError([
      `error: permission denied on Docker's socket ${where}`,
      'run observe as root, or as a member of the docker group (sudo usermod -aG docker $USER, then log in again)',
    ]);
  }
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ENOTSOCK' || e.code === 'EHOSTUNREACH' || e.code === 'ENOTFOUND') {
    const why = e.code === 'ENOENT' ? 'no such socket' : e.code === 'ECONNREFUSED' ? 'nothing answers there' : e.code === 'ENOTSOCK' ? 'not a socket' : 'host not found';
    return new DockerApiError([
      `error: cannot reach Docker at ${ep.label} (${why})`,
      `is Docker running? start it (sudo systemctl start docker, or dockerd), or set DOCKER_HOST to its socket (DOCKER_HOST=unix:///path/to/docker.sock; it is ${process.env.DOCKER_HOST ? `now ${process.env.DOCKER_HOST}` : `unset: ${DEFAULT_DOCKER_SOCKET}`})`,
    ]);
  }
  return new DockerApiError([`error: cannot reach Docker at ${ep.label}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ').trim()]);
}

export type DockerApi = {
  endpoint: DockerEndpoint;
  /** GET a JSON document; throws DockerApiError on a connection failure or an HTTP error. */
  get<T>(path: string, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<T>;
};

export function dockerApi(endpoint: DockerEndpoint = dockerEndpoint()): DockerApi {
  const get = <T>(path: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const options: RequestOptions = {
        method: 'GET',
        path,
        headers: { Accept: 'application/json', Host: 'docker' },
        ...(endpoint.socketPath ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port }),
        signal: opts.signal,
      };
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new Error(`the response to GET ${path} is over ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            let message = text.trim();
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
              // not JSON: the text as it is
            }
            reject(Object.assign(new DockerApiError([`error: Docker answered ${status} to GET ${path.split('?')[0]}: ${message.slice(0, 500)}`]), { status }));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            reject(new DockerApiError([`error: Docker's answer to GET ${path.split('?')[0]} is not JSON (is ${endpoint.label} a Docker engine?)`]));
          }
        });
      });
      req.setTimeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no answer in ${(opts.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof DockerApiError) reject(e);
        else if (e.name === 'AbortError') reject(e);
        else if (e.code === 'ETIMEDOUT') reject(new DockerApiError([`error: Docker at ${endpoint.label} did not answer GET ${path.split('?')[0]} in ${(opts.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000} s`]));
        else reject(connectError(endpoint, e));
      });
      req.end();
    });
  return { endpoint, get };
}

/** The fields of the Engine API's answers that observe reads (API v1.41, Docker 20.10; unchanged since). */
export type ContainerSummary = { Id: string; Names: string[]; State: string; Labels: Record<string, string> };

export type ContainerInspect = {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; OOMKilled: boolean; ExitCode: number; StartedAt: string; FinishedAt: string };
  HostConfig: { Memory: number };
  Config: { Labels: Record<string, string> | null };
};

/**
 * GET /containers/{id}/stats?stream=false: memory_stats as the engine reads the cgroup.
 * v1: usage = memory.usage_in_bytes, max_usage = memory.max_usage_in_bytes, stats = memory.stat
 * (total_inactive_file, total_rss, total_cache …). v2: usage = memory.current, stats =
 * memory.stat (inactive_file, anon, file …), no max_usage. A stopped container: memory_stats {}.
 */
export type ContainerStats = {
  read: string;
  memory_stats: { usage?: number; max_usage?: number; limit?: number; stats?: Record<string, number> };
};

export type DockerInfo = { MemTotal: number; Name: string; ServerVersion: string; CgroupVersion?: string };

export type DockerEvent = { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> }; time: number; timeNano: number };

/** GET /events over [since, until] (unix seconds): Docker answers the past events and closes at `until`. */
export async function dockerEvents(api: DockerApi, since: number, until: number, filters: Record<string, string[]>): Promise<DockerEvent[]> {
  const q = new URLSearchParams({ since: since.toFixed(3), until: until.toFixed(3), filters: JSON.stringify(filters) });
  // The answer is a stream of JSON objects, one after another (not an array): read it as text.
  const text = await new Promise<string>((resolve, reject) => {
    const ep = api.endpoint;
    const req = request(
      { method: 'GET', path: `/events?${q}`, headers: { Host: 'docker' }, ...(ep.socketPath ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => ((res.statusCode ?? 0) >= 300 ? reject(new DockerApiError([`error: Docker answered ${res.statusCode} to GET /events: ${body.slice(0, 300)}`])) : resolve(body)));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => reject(connectError(ep, e)));
    req.end();
  });
  const out: DockerEvent[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    try {
      out.push(JSON.parse(t) as DockerEvent);
    } catch {
      // a partial line: skipped
    }
  }
  return out;
}
