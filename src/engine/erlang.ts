/**
 * Erlang C: the M/M/c queue (Poisson arrivals, exponential service times, c servers, one queue).
 * latency.ts models the app's workers on their cores and the app's database pool with it.
 *
 * Numerically stable for any c: Erlang B by its recurrence B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))
 * (no factorials, no powers), then C = c·B / (c − a·(1 − B)) (Kleinrock, Queueing Systems vol. 1,
 * §3.5; Wikipedia "Erlang (unit)", "Erlang C formula"). The recurrence stops early once B is
 * negligible past the load, so a pool of a million connections costs what a pool a little over
 * its load costs.
 *
 * `a` is the offered load in Erlangs (arrival rate × mean service time), `c` the servers.
 */

/** Erlang B: the chance an arrival finds all c servers busy in the loss system (c a whole number ≥ 0). */
export function erlangB(c: number, a: number): number {
  if (!(a > 0)) return 0;
  let b = 1;
  for (let k = 1; k <= c; k++) {
    b = (a * b) / (k + a * b);
    // Past the load B only falls; under 1e-300 it is 0 for every use here (and would underflow).
    if (k > a && b < 1e-300) return 0;
  }
  return b;
}

/** Erlang C: the chance an arrival waits (all c servers busy); 1 when the queue is unstable (a ≥ c). */
export function erlangC(c: number, a: number): number {
  if (!(a > 0)) return 0;
  if (a >= c) return 1;
  const b = erlangB(c, a);
  return (c * b) / (c - a * (1 - b));
}

/** One M/M/c queue: `c` servers, `a` Erlangs offered, mean service time `serviceMs`. */
export type Queue = { c: number; a: number; serviceMs: number };

/** True when the queue grows without bound (load at or over the servers). */
export function unstable(q: Queue): boolean {
  return q.a >= q.c;
}

/** The rate (per ms) of the exponential wait of those who wait: (c − a) / service time. */
export function waitRate(q: Queue): number {
  return (q.c - q.a) / q.serviceMs;
}

/** Mean wait in the queue, ms: C × s / (c − a); Infinity when unstable. */
export function meanWait(q: Queue): number {
  if (!(q.a > 0)) return 0;
  if (unstable(q)) return Infinity;
  return (erlangC(q.c, q.a) * q.serviceMs) / (q.c - q.a);
}

/** P(wait > t ms) = C × e^(−(c − a)·t / s). */
export function waitSurvival(q: Queue, t: number): number {
  if (!(q.a > 0)) return 0;
  if (unstable(q)) return 1;
  return erlangC(q.c, q.a) * Math.exp(-waitRate(q) * Math.max(0, t));
}

/** The wait at percentile `p` (0.95 = p95), ms: 0 when fewer than 1 − p wait at all; Infinity when unstable. */
export function waitPercentile(q: Queue, p: number): number {
  if (!(q.a > 0)) return 0;
  if (unstable(q)) return Infinity;
  const waits = erlangC(q.c, q.a);
  const tail = 1 - p;
  if (waits <= tail) return 0;
  return Math.log(waits / tail) / waitRate(q);
}
