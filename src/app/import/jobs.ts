/**
 * The import's slow work, as plain functions of plain data: a compose file into a plan,
 * `docker stats` text onto a plan, a plan file's text parsed, a share link unpacked. worker.ts runs them off the main thread; client.ts runs them
 * here only where the browser has no module workers.
 */
import { composeImport, type ComposeImportResult } from '../../formats/compose-import/index.ts';
import { dockerStatsApply } from '../../formats/docker-stats.ts';
import { inputParse } from '../../formats/input-policy.ts';
import type { PlanInput } from '../../engine/index.ts';
import { shareUnpack, type ShareUnpacked } from '../state/share-unpack.ts';

export type ComposeJob = { type: 'compose'; text: string; envText: string; host: string };
export type StatsJob = { type: 'stats'; input: PlanInput; text: string; containerNames: Record<string, string> };
/** A plan file's text parsed under the input policy (the Upload plan… button): its data, or the problems. */
export type YamlJob = { type: 'yaml'; text: string };
export type YamlResult = { ok: true; data: unknown } | { ok: false; issues: Array<{ path: string; message: string }> };
/** A share link's plan parameter unpacked under the input policy (share-unpack.ts). */
export type ShareJob = { type: 'share'; param: string };
export type Job = ComposeJob | StatsJob | YamlJob | ShareJob;

export type StatsResult = ReturnType<typeof dockerStatsApply<PlanInput>>;
export type JobResult<J extends Job> = J extends ComposeJob ? ComposeImportResult : J extends YamlJob ? YamlResult : J extends ShareJob ? ShareUnpacked : StatsResult;

/** Runs one job; the functions it calls never throw on any input. */
export function jobRun<J extends Job>(job: J): JobResult<J> {
  if (job.type === 'compose') return composeImport(job.text, { host: job.host, envText: job.envText }) as JobResult<J>;
  if (job.type === 'yaml') {
    const r = inputParse(job.text);
    return (r.ok ? { ok: true, data: r.parsed.data } : { ok: false, issues: r.issues.map(({ path, message }) => ({ path, message })) }) as JobResult<J>;
  }
  if (job.type === 'share') return shareUnpack(job.param) as JobResult<J>;
  return dockerStatsApply(job.input, job.text, job.containerNames) as JobResult<J>;
}
