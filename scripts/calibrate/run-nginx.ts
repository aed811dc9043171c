/**
 * nginx cases (the proxy kind): Debian's nginx started with the nginx.conf Headroom exports for the
 * plan (workers, worker_connections; listen, upstream, pid and temp paths moved to 127.0.0.1 and a
 * temporary directory), proxying to a small upstream HTTP server in this process that answers
 * 2 KiB bodies, at rest and with wrk keeping 50 and 400 connections busy, at 1 and 2 workers.
 * Memory: PSS of the master and its workers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationCase, CalibrationPlan } from '../../src/engine/calibration.ts';
import type { ServiceOf } from '../../src/engine/schema.ts';
import { nginxConf } from '../../src/formats/kinds/proxy.ts';
import { planChecked, writeCalibration } from './record.ts';
import { loadWatch, toolVersion } from './machine.ts';
import { measureUnderLoad, waitHttp } from './http-load.ts';
import { freePort, requireTool, startGroup, stopGroup } from './proc.ts';

const NGINX = '/usr/sbin/nginx';
const BODY = Buffer.alloc(2048, 'n');
const SECONDS = 12;
export const NGINX_SPECS = [1, 2].flatMap((workers) => [0, 50, 400].map((connections) => ({ workers, connections })));
type Spec = (typeof NGINX_SPECS)[number];

/** The plan: nginx with `workers` workers of 1024 connections and `connections` connections in flight (0: at rest). */
export function nginxPlan(s: Spec): CalibrationPlan {
  return {
    name: `calibration nginx-w${s.workers}-c${s.connections}`,
    host: { ram: '4GiB' },
    services: [{ name: 'proxy', kind: 'proxy', limit: '256MiB', settings: { server: 'nginx', workers: s.workers, workerConnections: 1024, connections: s.connections } }],
  };
}

function upstream(port: number): Promise<Server> {
  const srv = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(BODY);
  });
  srv.keepAliveTimeout = 75_000;
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

async function nginxCase(s: Spec, upstreamPort: number): Promise<CalibrationCase> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-calibrate-nginx-'));
  const watch = loadWatch();
  const plan = nginxPlan(s);
  const svc = planChecked(plan).services[0] as ServiceOf<'proxy'>;
  const port = await freePort();
  const conf = nginxConf(svc, { listen: `127.0.0.1:${port}`, upstream: `http://127.0.0.1:${upstreamPort}`, pid: join(dir, 'nginx.pid'), errorLog: join(dir, 'error.log'), tempPrefix: dir }, plan.name);
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const server = startGroup('nginx', NGINX, ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], join(dir, 'nginx.log'));
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitHttp('nginx', url, server, 20_000);
    const m = await measureUnderLoad({ root: server.pgid, url, connections: s.connections, seconds: SECONDS, dir });
    if (m.procs !== s.workers + 1) throw new Error(`nginx ran ${m.procs} processes, expected the master and ${s.workers} workers`);
    return {
      id: `nginx-w${s.workers}-c${s.connections}`,
      label: `nginx ${s.workers} worker${s.workers > 1 ? 's' : ''}, ${s.connections ? `${s.connections} connections busy (wrk), 2 KiB responses proxied` : 'at rest'}`,
      role: s.connections ? 'typical' : 'light',
      plan,
      service: 'proxy',
      settings: { worker_processes: String(s.workers), worker_connections: '1024', version: toolVersion(NGINX, ['-v']) },
      load: { tool: 'wrk', connections: s.connections, seconds: SECONDS, requestsPerSecond: m.requestsPerSecond, ...watch() },
      measured: { metric: 'PSS of the nginx master and its workers', typicalMiB: m.typicalMiB, peakMiB: m.peakMiB, samples: m.samples, detail: { processes: m.procs } },
    };
  } finally {
    await stopGroup(server, 'SIGQUIT', 5000);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function calibrateNginx(): Promise<void> {
  requireTool(NGINX, 'nginx');
  const upPort = await freePort();
  const up = await upstream(upPort);
  const cases: CalibrationCase[] = [];
  try {
    for (const s of NGINX_SPECS) {
      const c = await nginxCase(s, upPort);
      console.log(`${c.id}: ${c.measured.typicalMiB} MiB typical, ${c.measured.peakMiB} peak (${c.load.requestsPerSecond} req/s)`);
      cases.push(c);
    }
  } finally {
    await new Promise((r) => up.close(r));
  }
  writeCalibration('calibration/proxy.json', {
    kind: 'proxy',
    recordedAt: new Date().toISOString(),
    method: 'Debian nginx with the exported nginx.conf (listen, upstream and paths moved to loopback and a temporary directory) proxying to an in-process upstream; wrk keeps N connections busy for 12 s after a 5 s warm-up; PSS of every nginx process sampled every 0.5 s.',
    tools: { nginx: toolVersion(NGINX, ['-v']), wrk: toolVersion('/usr/bin/wrk', ['-v']) },
  }, cases);
}
