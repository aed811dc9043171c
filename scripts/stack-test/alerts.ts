/**
 * The alert path on the running stack: the app's container is stopped on purpose; Prometheus
 * (scraping it with the exported prometheus.yml) must fire the exported ServiceDown rule, and,
 * when the plan has AlertManager, route it with the exported alertmanager.yml to its receiver,
 * whose URL (the secret the RUNBOOK says to fill) points at the test's webhook receiver. Read
 * through ports published on 127.0.0.1 only; every wait is bounded.
 */
import { get } from 'node:http';
import { sleep, type DockerEngine } from '../../test/docker/engine.ts';

export type AlertResult = {
  error?: string;
  stopped?: string;
  /** Seconds from the stop until Prometheus showed ServiceDown pending / firing for the app. */
  pendingAfterS?: number | null;
  firingAfterS?: number | null;
  /** AlertManager in the plan: seconds until its API listed ServiceDown for the app (it received and routed it). */
  alertmanager?: boolean;
  alertmanagerAfterS?: number | null;
  /** Seconds until the webhook received a notification naming ServiceDown and the app (null: never). */
  receivedAfterS?: number | null;
  receivedText?: string;
  /** Other notifications the receiver got during the test (e.g. ServiceDown for a service not run here). */
  otherNotifications?: string[];
};

function getJson(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function port(engine: DockerEngine, container: string, p: number): Promise<number> {
  const out = (await engine.dockerOk(['port', container, String(p)])).trim();
  const m = /127\.0\.0\.1:(\d+)/.exec(out);
  if (!m) throw new Error(`${container}:${p} is not published on 127.0.0.1 (${out})`);
  return Number(m[1]);
}

type PromAlert = { labels: Record<string, string>; state: string };
type Received = { t: number; path: string; body: unknown };

/** The text of a Slack (or webhook) notification, for matching and the report. */
const textOf = (body: unknown) => JSON.stringify(body);
/** A notification about ServiceDown for this service: the exported rule's labels are grouped by alertname and service, and its summary names the service. */
const aboutServiceDown = (body: unknown, service: string) => {
  const t = textOf(body);
  return t.includes('ServiceDown') && new RegExp(`\\b${service.replace(/[^\w-]/g, '')}\\b`).test(t);
};

export async function alertPath(
  engine: DockerEngine,
  o: { app: string; prometheus: string; alertmanager: string | null; webhook: string | null; appService: string; log: (s: string) => void; timeoutS?: number },
): Promise<AlertResult> {
  const promPort = await port(engine, o.prometheus, 9090);
  const amPort = o.alertmanager ? await port(engine, o.alertmanager, 9093) : null;
  const hookPort = o.webhook ? await port(engine, o.webhook, 9000) : null;
  const t0 = Date.now();
  await engine.dockerOk(['stop', '-t', '10', o.app]);
  o.log(`alert path: stopped ${o.app}; waiting for ServiceDown in Prometheus${o.webhook ? ', then AlertManager \u2192 webhook' : ''}`);
  const out: AlertResult = { stopped: o.app, pendingAfterS: null, firingAfterS: null, alertmanager: !!o.webhook, alertmanagerAfterS: null, receivedAfterS: null, otherNotifications: [] };
  const end = t0 + (o.timeoutS ?? 360) * 1000;
  const after = () => Math.round((Date.now() - t0) / 100) / 10;
  let received: Received[] = [];
  while (Date.now() < end) {
    try {
      const r = (await getJson(promPort, '/api/v1/alerts')) as { data?: { alerts?: PromAlert[] } };
      const mine = (r.data?.alerts ?? []).filter((a) => a.labels.alertname === 'ServiceDown' && (a.labels.service === o.appService || a.labels.job === o.appService));
      if (mine.some((a) => a.state === 'pending') && out.pendingAfterS === null) out.pendingAfterS = after();
      if (mine.some((a) => a.state === 'firing') && out.firingAfterS === null) {
        out.firingAfterS = after();
        out.pendingAfterS ??= out.firingAfterS;
        o.log(`alert path: ServiceDown firing after ${out.firingAfterS} s`);
      }
    } catch {
      // Prometheus busy: next poll
    }
    if (amPort !== null && out.firingAfterS !== null && out.alertmanagerAfterS === null) {
      try {
        const list = (await getJson(amPort, '/api/v2/alerts?filter=alertname%3D%22ServiceDown%22')) as { labels: Record<string, string> }[];
        if (list.some((a) => a.labels.service === o.appService || a.labels.job === o.appService)) {
          out.alertmanagerAfterS = after();
          o.log(`alert path: AlertManager has ServiceDown for ${o.appService} after ${out.alertmanagerAfterS} s`);
        }
      } catch {
        // next poll
      }
    }
    if (hookPort !== null && out.firingAfterS !== null) {
      try {
        received = (await getJson(hookPort, '/received')) as Received[];
        const hit = received.find((g) => g.t * 1000 >= t0 && aboutServiceDown(g.body, o.appService));
        if (hit) {
          out.receivedAfterS = Math.round((hit.t * 1000 - t0) / 100) / 10;
          out.receivedText = textOf(hit.body).slice(0, 400);
          o.log(`alert path: the webhook received ServiceDown for ${o.appService} after ${out.receivedAfterS} s`);
          break;
        }
      } catch {
        // next poll
      }
    }
    if (hookPort === null && out.firingAfterS !== null) break;
    await sleep(2000);
  }
  out.otherNotifications = received.filter((g) => !aboutServiceDown(g.body, o.appService)).map((g) => textOf(g.body).slice(0, 200));
  return out;
}
