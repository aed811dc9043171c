/** The top bar: the plan's name, presets, file import/export, the share link, undo and redo, and the verdict. */
import { useRef, useState, type ChangeEvent } from 'react';
import { isPresetName, planEmpty, presetGet, PRESET_NAMES, type PlanInput } from '../../engine/index.ts';
import { NAME_FIELD } from '../state/fields.ts';
import { plannerStore, useActions, usePlanner } from '../state/instance.ts';
import { shareUrl } from '../state/share.ts';
import { planFileName, planFileRead, planFileWrite } from '../planFile.ts';
import { FieldInput } from './FieldInput.tsx';
import { ImportLauncher } from './ImportLauncher.tsx';
import { Verdict } from './Verdict.tsx';

const PRESET_LABEL: Record<string, string> = { '4gb': '4gb (the seed’s stack)', full: 'full (original 8 services)', '8gb': '8gb (upgrade tier)', empty: 'empty (start from nothing)' };

function PresetPicker() {
  const { planReplace } = useActions();
  const [choice, setChoice] = useState<string>('4gb');
  const load = () => {
    const next: PlanInput = isPresetName(choice) ? presetGet(choice) : planEmpty();
    planReplace(next, { tone: 'info', text: `Loaded the ${choice} preset. Undo brings back the previous plan.` });
  };
  return (
    <span className="group">
      <label htmlFor="preset">Preset</label>
      <select id="preset" value={choice} onChange={(e) => setChoice(e.target.value)}>
        {[...PRESET_NAMES, 'empty'].map((p) => (
          <option key={p} value={p}>
            {PRESET_LABEL[p] ?? p}
          </option>
        ))}
      </select>
      <button type="button" onClick={load}>
        Load preset
      </button>
    </span>
  );
}

function FileButtons() {
  const { planReplace, noticePush } = useActions();
  const fileRef = useRef<HTMLInputElement>(null);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const read = await planFileRead(await file.text());
    if (read.ok) planReplace(read.input, { tone: 'info', text: `Loaded ${file.name}. Undo brings back the previous plan.` });
    else noticePush('error', `${file.name} was not loaded: ${read.reason}`);
  };
  const download = async () => {
    const { input } = plannerStore.getState();
    const url = URL.createObjectURL(new Blob([await planFileWrite(input)], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = planFileName(input);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <span className="group">
      <button type="button" onClick={() => fileRef.current?.click()}>
        Upload plan…
      </button>
      <input ref={fileRef} type="file" accept=".yaml,.yml,.json,application/json,application/yaml" className="visually-hidden" tabIndex={-1} aria-label="Plan file to upload" onChange={onFile} />
      <button type="button" onClick={download}>
        Download plan
      </button>
    </span>
  );
}

function ShareButton() {
  const [link, setLink] = useState<{ url: string; copied: boolean } | null>(null);
  const open = async () => {
    const url = await shareUrl(window.location.href, plannerStore.getState().input);
    setLink({ url, copied: false });
    try {
      await navigator.clipboard.writeText(url);
      setLink({ url, copied: true });
    } catch {
      /* no clipboard permission: the box below lets the user copy it */
    }
  };
  return (
    <span className="group share">
      <button type="button" onClick={open} aria-expanded={link !== null} aria-controls="share-panel">
        Share link
      </button>
      {link && (
        <span id="share-panel" className="share-panel" role="group" aria-label="Share link">
          <input type="text" readOnly value={link.url} aria-label="Link to this plan" onFocus={(e) => e.currentTarget.select()} data-testid="share-url" />
          <span className="share-status" role="status">
            {link.copied ? 'Copied to the clipboard.' : 'Copy the link from the box.'} It holds the whole plan; nothing is uploaded.
          </span>
          <button type="button" onClick={() => setLink(null)}>
            Close
          </button>
        </span>
      )}
    </span>
  );
}

function UndoRedo() {
  const canUndo = usePlanner((s) => s.past.length > 0 || Object.values(s.drafts).some((d) => d.message !== null));
  const canRedo = usePlanner((s) => s.future.length > 0);
  const { undo, redo } = useActions();
  return (
    <span className="group">
      <button type="button" onClick={undo} disabled={!canUndo} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button type="button" onClick={redo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
        ↷ Redo
      </button>
    </span>
  );
}

export function Header() {
  const name = usePlanner((s) => s.input.name ?? '');
  return (
    <header className="topbar">
      <h1>Headroom</h1>
      <FieldInput path={['name']} spec={{ ...NAME_FIELD, optional: true }} label="Plan name" value={name} placeholder="unnamed plan" className="plan-name" />
      <nav className="actions" aria-label="Plan actions">
        <PresetPicker />
        <FileButtons />
        <ImportLauncher />
        <ShareButton />
        <UndoRedo />
      </nav>
      <Verdict />
    </header>
  );
}
