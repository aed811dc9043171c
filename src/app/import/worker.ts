/** The import's Web Worker: a 10 MB compose file is parsed here, so the page keeps answering. */
import { jobRun, type Job } from './jobs.ts';

export type WorkerRequest = { id: number; job: Job };
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerReply): void };

scope.onmessage = (e) => {
  const { id, job } = e.data;
  try {
    scope.postMessage({ id, ok: true, result: jobRun(job) });
  } catch (err) {
    scope.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
