/**
 * Whether this engine can start a container with a negative oom_score_adj. Lowering it needs
 * CAP_SYS_RESOURCE; where root lacks it (this project's machines, rootless Docker, user-namespaced
 * or nested engines) runc refuses to start the container at all ("can't get final child's PID
 * from pipe: EOF" or "write /proc/self/oom_score_adj: permission denied"). Asked of the engine
 * itself, with one throwaway container, so that the stack test works around it only where the
 * engine really refuses, and reports it (the export's negative values are a known bug, being
 * fixed in src/formats; once they are gone, nothing is tolerated).
 */
import type { DockerEngine } from './engine.ts';

export type OomScoreAdjProbe = { allowed: boolean; error: string | null };

export async function probeNegativeOomScoreAdj(engine: DockerEngine, image: string, runArgs: readonly string[] = []): Promise<OomScoreAdjProbe> {
  const r = await engine.docker(['run', '--rm', '--oom-score-adj', '-1', ...runArgs, '--entrypoint', 'cat', image, '/proc/self/oom_score_adj'], { timeoutMs: 60_000 });
  if (r.code === 0 && r.stdout.trim() === '-1') return { allowed: true, error: null };
  const text = (r.stderr || r.stdout).trim();
  // Anything other than the kernel or runc refusing the value is a broken engine, not this limitation.
  if (!/oom_score_adj|final child's PID|permission denied|operation not permitted/i.test(text) && r.code !== 0) {
    throw new Error(`docker run --oom-score-adj -1 failed for another reason (exit ${r.code}): ${text.slice(0, 1000)}`);
  }
  const why = text.split('\n').find((l) => /oom_score_adj|final child's PID|permission denied|operation not permitted/i.test(l)) ?? text.split('\n')[0] ?? '';
  return { allowed: false, error: why.replace(/^docker: Error response from daemon: /, '').trim().slice(0, 400) || `exit ${r.code}, read ${r.stdout.trim()}` };
}
