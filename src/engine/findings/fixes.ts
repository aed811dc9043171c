/**
 * A finding's spike twin: the same failure in the ×spike scenario, raised under its own id. A
 * fix's value holds both scenarios (issue 11), so applying it must clear the finding and its twin.
 */
export const SPIKE_TWIN: Readonly<Record<string, string>> = {
  'usage-over-limit': 'spike-over-limit',
  'host-oom': 'spike-host-oom',
};

/** The ids a fix for `id` must clear: itself and its spike twin (either way round). */
export function clearedBy(id: string): string[] {
  const twin = SPIKE_TWIN[id] ?? Object.entries(SPIKE_TWIN).find(([, t]) => t === id)?.[0];
  return twin ? [id, twin] : [id];
}
