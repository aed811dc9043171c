/**
 * The load generator: the plan's workload as HTTP requests to the app, on 127.0.0.1 only (the
 * app's port published on loopback). Open loop: requests start at the plan's rate whatever the
 * app's latency (as users do), at most `maxInFlight` at once (past that a request counts as
 * dropped), each with a timeout; the phase ends at its deadline. Bounded in count and time.
 *
 * The mix: with the semantic cache on, a share `hitRate` of requests repeat one of a few popular
 * questions (warmed into the cache first), the rest are new questions (a miss: the database, then
 * the cache); with it off, every request goes to the database.
 */
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';

/** `appMs` a miss's time in the app, `hitMs` a repeat's (a semantic-cache hit skips the model call the app awaits: the engine's HIT_TIME_MS); without `hitMs` a repeat is padded to `appMs` like a miss. */
export type RequestShape = { cache: boolean; dbMs: number; appMs: number; hitMs?: number; ttl: number; size: number };
export type Sample = { t: number; ms: number; status: number; hit: boolean; phase: string };
export type PhaseResult = {
  phase: string;
  targetRps: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  dropped: number;
  achievedRps: number;
  hitRate: number | null;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  errorSamples: string[];
  /** Requests sent a second time because their kept-alive socket had just been closed by the server. */
  retriedOnClosedSocket: number;
  /** p95 of the requests sent in each 10 s of the phase (ms): a stall shows as one window, saturation as a rise. */
  windowsP95: number[];
};

export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export class LoadGenerator {
  private agent: Agent;
  private popular: string[];
  private counter = 0;
  /** Requests sent again after a reused keep-alive socket was found closed. */
  retries = 0;
  readonly samples: Sample[] = [];

  constructor(
    private port: number,
    private shape: RequestShape,
    private opts: { maxInFlight?: number; timeoutMs?: number; popular?: number; host?: string } = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxInFlight ?? 256 });
    this.popular = Array.from({ length: opts.popular ?? 100 }, (_, i) => `popular question ${i} about ${['pricing', 'refunds', 'shipping', 'accounts', 'security'][i % 5]} topic${i}`);
  }

  private url(q: string): string {
    const s = this.shape;
    const appMs = s.hitMs !== undefined && this.popular.includes(q) ? s.hitMs : s.appMs;
    const p = new URLSearchParams({ q, cache: s.cache ? '1' : '0', db_ms: String(s.dbMs), app_ms: String(appMs), ttl: String(s.ttl), size: String(s.size) });
    return `/query?${p}`;
  }

  private one(q: string, phase: string, errors: string[], retried = false, started?: { t: number; t0: bigint }): Promise<Sample> {
    const t = started?.t ?? Date.now();
    const t0 = started?.t0 ?? process.hrtime.bigint();
    return new Promise((resolve) => {
      const req = request({ host: this.opts.host ?? '127.0.0.1', port: this.port, path: this.url(q), agent: this.agent, timeout: this.opts.timeoutMs ?? 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          if (res.statusCode !== 200 && errors.length < 5) errors.push(`HTTP ${res.statusCode}`);
          resolve({ t, ms, status: res.statusCode ?? 0, hit: res.headers['x-cache'] === 'hit', phase });
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed (uvicorn's 5 s keep-alive timeout) just as it was
        // reused: the request never reached the app. Sent again once, timed from the first try
        // (Node's documented pattern: req.reusedSocket and ECONNRESET).
        if (!retried && req.reusedSocket && e.code === 'ECONNRESET') {
          this.retries++;
          resolve(this.one(q, phase, errors, true, { t, t0 }));
          return;
        }
        if (errors.length < 5) errors.push(e.message);
        resolve({ t, ms: Number(process.hrtime.bigint() - t0) / 1e6, status: 0, hit: false, phase });
      });
      req.end();
    });
  }

  /** Requests each popular question once, so that repeats hit (the cache's steady state). */
  async warm(): Promise<void> {
    if (!this.shape.cache) return;
    const errors: string[] = [];
    for (let i = 0; i < this.popular.length; i += 10) await Promise.all(this.popular.slice(i, i + 10).map((q) => this.one(q, 'warm', errors)));
    if (errors.length) throw new Error(`warming the cache failed: ${errors.join('; ')}`);
  }

  /** Waits until the app answers a request (at most `timeoutMs`). */
  async ready(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      const errs: string[] = [];
      const s = await this.one('readiness probe', 'probe', errs);
      if (s.status === 200) return;
      last = errs.join('; ') || `HTTP ${s.status}`;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the app did not answer on 127.0.0.1:${this.port} within ${timeoutMs} ms: ${last}`);
  }

  private question(hitRate: number): string {
    if (this.shape.cache && Math.random() < hitRate) return this.popular[Math.floor(Math.random() * this.popular.length)]!;
    this.counter++;
    return `question ${this.counter} ${randomBytes(12).toString('hex')} ${randomBytes(6).toString('hex')} about something new`;
  }

  /** One phase: `rps` requests per second for `seconds`. */
  async run(phase: string, rps: number, seconds: number, hitRate: number, onTick?: () => void): Promise<PhaseResult> {
    const errors: string[] = [];
    const retries0 = this.retries;
    const maxInFlight = this.opts.maxInFlight ?? 256;
    const start = Date.now();
    const deadline = start + seconds * 1000;
    const cap = Math.ceil(rps * seconds); // bounded in count as well as time
    let sent = 0;
    let dropped = 0;
    let inFlight = 0;
    const pending = new Set<Promise<void>>();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now();
        if (now >= deadline || sent + dropped >= cap) {
          clearInterval(timer);
          resolve();
          return;
        }
        const due = Math.min(cap, Math.floor(((now - start) / 1000) * rps)) - sent - dropped;
        for (let i = 0; i < due; i++) {
          if (inFlight >= maxInFlight) {
            dropped++;
            continue;
          }
          sent++;
          inFlight++;
          const p = this.one(this.question(hitRate), phase, errors).then((s) => {
            inFlight--;
            this.samples.push(s);
            pending.delete(p);
          });
          pending.add(p);
        }
        onTick?.();
      }, 10);
    });
    // Let the last requests finish (each has its own timeout).
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, (this.opts.timeoutMs ?? 10_000) + 1000))]);
    const mine = this.samples.filter((s) => s.phase === phase);
    const okOnes = mine.filter((s) => s.status === 200);
    const lat = okOnes.map((s) => s.ms).sort((a, b) => a - b);
    const wall = (Date.now() - start) / 1000;
    return {
      phase,
      targetRps: rps,
      seconds: round(wall),
      sent,
      ok: okOnes.length,
      errors: mine.length - okOnes.length,
      dropped,
      achievedRps: round(okOnes.length / seconds, 2),
      hitRate: this.shape.cache && okOnes.length ? round(okOnes.filter((s) => s.hit).length / okOnes.length, 3) : null,
      latencyMs: {
        p50: round(percentile(lat, 0.5)),
        p95: round(percentile(lat, 0.95)),
        p99: round(percentile(lat, 0.99)),
        max: round(lat[lat.length - 1] ?? NaN),
        mean: round(lat.reduce((a, b) => a + b, 0) / (lat.length || 1)),
      },
      errorSamples: errors,
      retriedOnClosedSocket: this.retries - retries0,
      windowsP95: Array.from({ length: Math.ceil(seconds / 10) }, (_, w) => {
        const inW = okOnes.filter((x) => x.t >= start + w * 10_000 && x.t < start + (w + 1) * 10_000).map((x) => x.ms).sort((a, b) => a - b);
        return inW.length ? round(percentile(inW, 0.95)) : NaN;
      }),
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
