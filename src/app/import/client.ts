/**
 * Runs import jobs in a Web Worker, newest first: a job sent while an older one of the same lane
 * is still running ends that one (the worker is terminated and a fresh one started), so a
 * keystroke after a huge paste never waits behind it.
 */
import type { Job, JobResult } from './jobs.ts';
import type { WorkerReply } from './worker.ts';
import { INPUT_LIMITS } from '../../formats/input-limits.ts';

/** Larger files are refused before they are read: the input policy's byte cap (4 MiB). */
export const MAX_IMPORT_BYTES = INPUT_LIMITS.maxBytes;

/** A job's outcome: its result, `superseded` when a newer job replaced it, or the worker's failure. */
export type LaneOutcome<J extends Job> = { status: 'done'; result: JobResult<J>; ms: number } | { status: 'superseded' } | { status: 'failed'; message: string };

type Pending = { id: number; settle: (o: LaneOutcome<Job>) => void; started: number };

/** One worker per kind of job, so stats never wait behind a compose file. */
export class JobLane {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private seq = 0;

  run<J extends Job>(job: J): Promise<LaneOutcome<J>> {
    this.supersede();
    const id = ++this.seq;
    return new Promise<LaneOutcome<J>>((resolve) => {
      const settle = resolve as (o: LaneOutcome<Job>) => void;
      const started = performance.now();
      this.pending = { id, settle, started };
      this.workerGet().postMessage({ id, job });
    });
  }

  /** Ends the running job, if any (the dialog closed). */
  dispose() {
    this.supersede();
    this.worker?.terminate();
    this.worker = null;
  }

  private supersede() {
    if (!this.pending) return;
    this.pending.settle({ status: 'superseded' });
    this.pending = null;
    // The worker is busy with the old job; a new one answers sooner than waiting for it.
    this.worker?.terminate();
    this.worker = null;
  }

  private workerGet(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<WorkerReply>) => {
      const p = this.pending;
      if (!p || p.id !== e.data.id) return;
      this.pending = null;
      const ms = performance.now() - p.started;
      p.settle(e.data.ok ? { status: 'done', result: e.data.result as JobResult<Job>, ms } : { status: 'failed', message: e.data.message });
    };
    w.onerror = (e) => {
      const p = this.pending;
      this.pending = null;
      this.worker = null;
      w.terminate();
      p?.settle({ status: 'failed', message: e.message || 'the import worker stopped' });
    };
    this.worker = w;
    return w;
  }
}
