/** The app: a FastAPI app under gunicorn/uvicorn, memory linear in workers (memory-model.md). */
import type { ServiceOf } from '../schema.ts';
import type { Traffic, Usage } from '../report.ts';
import { component, usageOf } from './usage.ts';

/** Gunicorn's arbiter process (without --preload it does not import the app). Measured here:
 * 19.8 MiB PSS (calibration/fastapi.json) and 22 (calibration/stack-test/production-4gb.json),
 * gunicorn 20.1 with uvicorn workers on Python 3.11; was 25 (assumed). */
const MASTER_MIB = 21;
/** With --preload, workers share the app's pages with the master: 82 vs 131 MB per worker
 * (langflow#12778), so a worker keeps ~63% and the master holds the shared ~40%. */
const PRELOAD_WORKER_SHARE = 82 / 131;
const PRELOAD_MASTER_SHARE = 0.4;
/** Spread of one worker's footprint. Assumed: 0.8× right after start, 1.4× after fragmentation
 * and large responses (public reports range 82–171 MB, memory-model.md). Measured here: a worker
 * grew 1.10× from the normal load to the 5× spike (44.8 → 49.1 MiB PSS, calibration/fastapi.json). */
const WORKER_LOW = 0.8;
const WORKER_HIGH = 1.4;
/** Memory a request in flight holds (request body, ORM objects, JSON response). Assumed: 1 MiB. */
const PER_REQUEST_MIB = 1;

export function fastapiUsage(s: ServiceOf<'fastapi'>, traffic: Traffic, share: number): Usage {
  const { replicas, workers, perWorker, preload } = s.settings;
  const procs = replicas * workers;
  const perW = preload ? perWorker * PRELOAD_WORKER_SHARE : perWorker;
  const master = replicas * (MASTER_MIB + (preload ? perWorker * PRELOAD_MASTER_SHARE : 0));
  // `share` splits the app's traffic between several app services in one plan.
  const inFlight = traffic.inFlightRequests;
  return usageOf([
    component('workers', procs * perW * WORKER_LOW, procs * perW, procs * perW * WORKER_HIGH, `${procs} × ${Math.round(perW)} MiB`),
    component('master', master, master, master),
    component('requests in flight', inFlight.low * share * PER_REQUEST_MIB, inFlight.typical * share * PER_REQUEST_MIB, inFlight.high * share * PER_REQUEST_MIB),
  ]);
}
