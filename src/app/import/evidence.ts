/**
 * An evidence file dropped on the page → the plan with it applied, or why not. Pure; the same
 * reading and applying as the CLI's --evidence (formats/evidence), loaded on first use.
 */
import type { PlanInput } from '../../engine/schema.ts';
import { planParse } from '../../engine/schema.ts';
import { evidenceRead } from '../../formats/evidence/read.ts';
import { evidenceApply } from '../../formats/evidence/apply.ts';
import { sizeFormat } from '../../engine/units.ts';

export type EvidenceOutcome = { ok: true; input: PlanInput; text: string } | { ok: false; text: string };

export function evidenceFileApply(input: PlanInput, fileName: string, text: string, collectedAt: string): EvidenceOutcome {
  const refs = input.services.map((s) => ({ name: s.name }));
  const r = evidenceRead(text, refs, collectedAt);
  const issues = (list: Array<{ path: string; message: string }>) => list.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ') + (list.length > 3 ? ` (and ${list.length - 3} more)` : '');
  if (!r.ok) return { ok: false, text: `${fileName} was not applied${r.kind ? ` (${r.kind})` : ''}: ${issues(r.issues)}. The plan is as it was.` };
  const applied = evidenceApply(input, [r.evidence]);
  if (!applied.ok) return { ok: false, text: `${fileName} was not applied (${r.kind}): ${issues(applied.issues)}. The plan is as it was.` };
  const parsed = planParse(applied.input);
  if (!parsed.ok) return { ok: false, text: `${fileName} was not applied: ${issues(parsed.issues)}. The plan is as it was.` };
  const a = applied.applied;
  const kills = a.services.reduce((n, s) => n + s.oomKills, 0);
  const parts = [
    a.services.length ? `observed ${a.services.map((s) => s.service).join(', ')}` : '',
    kills ? `${kills} OOM kill${kills > 1 ? 's' : ''}` : '',
    a.host ? `host RAM ${a.host.from} → ${sizeFormat(a.host.toMiB)} (${a.host.source})` : '',
  ].filter(Boolean);
  return { ok: true, input: applied.input, text: `Evidence from ${fileName} (${r.kind}): ${parts.join('; ') || 'nothing for this plan'}.` };
}
