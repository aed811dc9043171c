/**
 * "Add evidence…": pick or drop an evidence file (headroom observe, Prometheus, docker stats,
 * cgroup files, free -m, /proc/meminfo). Applied as one undo step with a notice saying what it
 * changed; a bad file is an error notice and the plan stays as it was. The parser loads on first use.
 */
import { useRef, useState, type DragEvent } from 'react';
import { plannerStore, useActions } from '../state/instance.ts';
import { composeSourceOf } from '../state/composeSource.ts';
import { INPUT_LIMITS, tooBigMessage } from '../../formats/input-limits.ts';

const load = () => import('../import/evidence.ts');

export function EvidenceDrop() {
  const { planReplace, noticePush } = useActions();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const take = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > INPUT_LIMITS.maxEvidenceBytes) {
      noticePush('error', `${file.name} was not applied: ${tooBigMessage(file.size, 'evidence')}. The plan is as it was.`);
      return;
    }
    try {
      const [{ evidenceFileApply }, text] = await Promise.all([load(), file.text()]);
      const current = plannerStore.getState().input;
      const r = evidenceFileApply(current, file.name, text, new Date(file.lastModified || Date.now()).toISOString().replace(/\.\d+Z$/, 'Z'));
      // Evidence is added to the plan as it stands: an imported plan keeps its compose file (the export edits it).
      if (r.ok) planReplace(r.input, { tone: 'info', text: r.text }, composeSourceOf(current) ?? undefined);
      else noticePush('error', r.text);
    } catch (e) {
      noticePush('error', `${file.name} was not applied: ${e instanceof Error ? e.message : String(e)}. The plan is as it was.`);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void take(e.dataTransfer.files[0]);
  };
  return (
    <span className={`group evidence-drop${over ? ' drag-over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop} data-testid="evidence-drop">
      <button type="button" onClick={() => input.current?.click()} onPointerEnter={() => void load()} title="Drop or pick an evidence file: headroom observe, a Prometheus query_range response, docker stats, cgroup files, free -m or /proc/meminfo">
        Add evidence…
      </button>
      <input ref={input} type="file" hidden aria-label="Evidence file" data-testid="evidence-file" onChange={(e) => { void take(e.target.files?.[0]); e.target.value = ''; }} />
    </span>
  );
}
