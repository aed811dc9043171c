/**
 * The export's oom_score_adj against this engine, decided in one place (pure; run.ts asks the
 * engine with test/docker/oom-score-adj.ts only when the export sets a negative value).
 *
 * Lowering oom_score_adj below 0 needs CAP_SYS_RESOURCE; where root lacks it (this project's
 * machines, rootless Docker, user-namespaced or nested engines) runc refuses to start the
 * container at all. The export used negative values (postgres -800 … alertmanager -200); the
 * export-safety change writes non-negative ones (postgres 0 … apps 1000), which any engine
 * accepts. Either way the run is decided here: values the engine accepts run as exported; a
 * negative one the engine refused is raised to 0, and reported as a problem of the export.
 */
import type { OomScoreAdjProbe } from '../../test/docker/oom-score-adj.ts';

export type OomScoreAdjOutcome = {
  /** service → oom_score_adj as exported (services that set one). */
  exported: Record<string, number>;
  /** Services whose exported value is negative. */
  negative: string[];
  /** The engine's answer to a negative value; null when the export sets none (not asked). */
  probe: OomScoreAdjProbe | null;
  /** Services run at 0 instead of their exported value (negative and refused). */
  raised: string[];
  /** One line for the report, always written. */
  summary: string;
  /** The export's problem on this engine, when values were raised. */
  problem: { service: string; what: string; detail: string } | null;
};

/** The report's problem name; the short CI test tolerates exactly this one when `raised` is not empty. */
export const OOM_SCORE_ADJ_REFUSED = 'negative oom_score_adj refused by this engine';

/** The exported services' oom_score_adj values (a number, as the export writes them). */
export function exportedOomScoreAdj(services: Record<string, Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, s] of Object.entries(services)) {
    const v = s.oom_score_adj;
    if (v === undefined || v === null) continue;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < -1000 || n > 1000) throw new Error(`services.${name}.oom_score_adj: expected a whole number from -1000 to 1000, got ${JSON.stringify(v)}`);
    out[name] = n;
  }
  return out;
}

const list = (e: Record<string, number>, names: string[]) => names.map((n) => `${n} ${e[n]}`).join(', ');

/** `probe` must be given (asked of the engine) when the export sets a negative value. */
export function oomScoreAdjOutcome(services: Record<string, Record<string, unknown>>, probe: OomScoreAdjProbe | null): OomScoreAdjOutcome {
  const exported = exportedOomScoreAdj(services);
  const names = Object.keys(exported);
  const negative = names.filter((n) => exported[n]! < 0);
  if (negative.length && !probe) throw new Error(`the export sets a negative oom_score_adj (${list(exported, negative)}): ask the engine first (probeNegativeOomScoreAdj)`);
  const asked = negative.length ? probe : null;
  const raised = asked && !asked.allowed ? negative : [];
  const all = names.length ? list(exported, names) : 'none set';
  let summary: string;
  if (!negative.length) summary = `oom_score_adj as exported (${all}): none negative, every value runs unchanged on any engine.`;
  else if (!raised.length) summary = `oom_score_adj as exported (${all}): this engine allows the negative ones (it has CAP_SYS_RESOURCE), every value ran unchanged.`;
  else summary = `oom_score_adj as exported (${all}): this engine refused a negative value (${asked!.error}); ${list(exported, raised)} ran at 0, the others unchanged.`;
  const problem = raised.length
    ? {
        service: raised.join(', '),
        what: OOM_SCORE_ADJ_REFUSED,
        detail: `The export sets ${list(exported, raised)}. This engine refused a container with oom_score_adj -1 (${asked!.error}): lowering it needs CAP_SYS_RESOURCE, which root here lacks, as in rootless Docker and user-namespaced or nested engines, so the exported stack does not start at all there. The test ran those services at 0; an export with values from 0 up runs unchanged.`,
      }
    : null;
  return { exported, negative, probe: asked, raised, summary, problem };
}
