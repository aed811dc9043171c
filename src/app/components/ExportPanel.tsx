/**
 * The export tab (issue 4): every file exportFiles writes for this plan, previewed, each with Copy
 * and Download, and all of them as one zip. "Tuned values" applies Headroom's recommended settings
 * first; a limit no setting fits is named with the smallest that does, and a button to set it.
 * Loaded with the tab (the exporters stay out of the first load); fflate only when a zip is made.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { create } from 'zustand';
import { changeText, type Plan } from '../../engine/index.ts';
import type { ExportFile, Target } from '../../formats/export/index.ts';
import { deriveOf } from '../derive/engine.ts';
import { exportOf, linesText, zipName, type ExportState, type Refusal } from '../derive/export.ts';
import { useSettledInput } from '../derive/hooks.ts';
import { useActions } from '../state/instance.ts';
import { composeSourceOf, IMPORTED_LABEL, type ComposeSource } from '../state/composeSource.ts';
import ExportTarget from './ExportTarget.tsx';
import './ExportPanel.css';

/** The switch and the file shown; kept while other tabs are shown. */
const useExportUi = create<{ tuned: boolean; target: Target; selected: string | null }>(() => ({ tuned: false, target: 'compose', selected: null }));

/** Saves bytes or text under `name` through a temporary link (nothing leaves the browser). */
function save(name: string, data: BlobPart, type: string) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const typeOf = (path: string) => (/\.ya?ml$/.test(path) ? 'application/yaml' : /\.md$/.test(path) ? 'text/markdown' : 'text/plain');

/** All files in one zip, fflate loaded on the first use. */
async function zipAll(files: readonly ExportFile[]): Promise<Uint8Array> {
  const { zipSync, strToU8 } = await import('fflate');
  return zipSync(Object.fromEntries(files.map((f) => [f.path, strToU8(f.content)])), { level: 6 });
}

export default function ExportPanel() {
  const input = useSettledInput();
  const d = deriveOf(input);
  if (d.status !== 'ok') return null; // the page shows why above
  return <ExportView plan={d.plan} source={composeSourceOf(input)} />;
}

function ExportView({ plan, source }: { plan: Plan; source: ComposeSource | null }) {
  const tuned = useExportUi((s) => s.tuned);
  const target = useExportUi((s) => s.target);
  const state = useMemo(() => exportOf(plan, tuned, target, source), [plan, tuned, target, source]);
  const [status, setStatus] = useState('');
  const effectId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // A fix applied from the refusal removes its button: the focus goes to the tab's heading, not to the page's body.
  const [refocus, setRefocus] = useState(false);
  useEffect(() => {
    if (refocus && state.status === 'ok') {
      heading.current?.focus();
      setRefocus(false);
    }
  }, [refocus, state]);
  const files = state.status === 'ok' ? state.files : [];
  const downloadAll = async () => {
    try {
      save(zipName(files), (await zipAll(files)) as Uint8Array<ArrayBuffer>, 'application/zip');
      setStatus(`Saved ${zipName(files)}: ${files.length} files.`);
    } catch (e) {
      setStatus(`The zip could not be made: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <section className="panel export" aria-labelledby="export-title">
      <div className="export-head">
        <h2 id="export-title" ref={heading} tabIndex={-1}>
          Export
        </h2>
        <p className="export-intro">
          {source && target === 'compose'
            ? <>The compose file you imported{source.label === IMPORTED_LABEL ? '' : ` (${source.label})`}, with the plan’s memory settings written in and every other key and comment kept, and every config this plan needs: the same files as <code>headroom export</code> of that file. They are made in this page; nothing is uploaded.</>
            : <>The compose file and every config this plan needs, the same files as <code>headroom export</code>. They are made in this page; nothing is uploaded.</>}
        </p>
        <span className="toggle export-tuned">
          <label>
            <input type="checkbox" role="switch" checked={tuned} aria-describedby={effectId} onChange={(e) => useExportUi.setState({ tuned: e.target.checked })} /> Tuned values
          </label>
          <span id={effectId} className="effect">
            {tuned
              ? 'On: Headroom’s recommended settings for these limits (shared_buffers, work_mem, max_connections, Redis maxmemory, pgBouncer pools).'
              : 'Off: every setting exactly as the plan states it.'}
          </span>
        </span>
        <ExportTarget value={target} onChange={(t) => useExportUi.setState({ target: t })} />
        <button type="button" className="primary" onClick={downloadAll} disabled={files.length === 0}>
          Download all (.zip)
        </button>
      </div>
      <p role="status" className="export-status" data-testid="export-status">
        {status}
      </p>
      {state.status === 'ok' && state.edited !== null && <EditReport label={state.edited} changes={state.changes} />}
      {state.status === 'ok' && state.fromPlan !== null && (
        <p className="export-from-plan" data-testid="export-from-plan">
          <span aria-hidden="true">▲ </span>
          {state.fromPlan}
        </p>
      )}
      {state.status === 'ok' ? <Files files={state.files} onStatus={setStatus} /> : <Refused state={state} onFixed={() => setRefocus(true)} />}
    </section>
  );
}

/** What the edit changed in the user's compose file, a line per edit (as the CLI prints them). */
function EditReport({ label, changes }: { label: string; changes: readonly string[] }) {
  return (
    <details className="export-edits" data-testid="export-edits">
      <summary>
        {changes.length === 0 ? `No change to ${label}` : `${changes.length} line${changes.length === 1 ? '' : 's'} of changes to ${label}`}
      </summary>
      <ul>
        {changes.map((c, i) => (
          <li key={i}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

function Refused({ state, onFixed }: { state: Extract<ExportState, { status: 'refused' }>; onFixed: () => void }) {
  const { fixApply } = useActions();
  return (
    <div className="export-refused" role="alert" data-testid="export-refused">
      <h3>{state.tuned ? 'Tuned values cannot be exported for this plan' : 'This plan cannot be exported'}</h3>
      {state.refusals.length > 0 ? (
        <ul>
          {state.refusals.map((r: Refusal) => (
            <li key={`${r.service}-${r.text}`}>
              {r.text}{' '}
              {r.fix && (
                <button type="button" onClick={() => fixApply(r.fix!) && onFixed()}>
                  {changeText(r.fix)}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>{state.message}</p>
      )}
      {state.tuned && <p className="muted">Or switch “Tuned values” off to export the settings as the plan states them.</p>}
    </div>
  );
}

function Files({ files, onStatus }: { files: ExportFile[]; onStatus: (s: string) => void }) {
  const chosen = useExportUi((s) => s.selected);
  const file = files.find((f) => f.path === chosen) ?? files[0];
  // A file that disappears (pgBouncer switched off) falls back to the first; the choice is kept otherwise.
  useEffect(() => {
    if (file && chosen !== file.path && chosen !== null && !files.some((f) => f.path === chosen)) useExportUi.setState({ selected: file.path });
  }, [file, chosen, files]);
  const copy = async (f: ExportFile) => {
    try {
      await navigator.clipboard.writeText(f.content);
      onStatus(`Copied ${f.path} to the clipboard.`);
    } catch {
      onStatus(`The browser refused the clipboard: select the text of ${f.path} in the preview and copy it.`);
    }
  };
  const download = (f: ExportFile) => {
    save(f.path, f.content, typeOf(f.path));
    onStatus(`Saved ${f.path}.`);
  };
  if (!file) return <p className="empty">This plan has no files to export.</p>;
  return (
    <div className="export-grid">
      <ul className="file-list" aria-label="Exported files" data-testid="export-files">
        {files.map((f) => {
          const current = f.path === file.path;
          return (
            <li key={f.path} className={current ? 'current' : undefined} data-testid={`export-file-${f.path}`}>
              <button type="button" className="file-name" aria-current={current ? 'true' : undefined} aria-controls="export-preview" onClick={() => useExportUi.setState({ selected: f.path })}>
                {f.path}
              </button>
              <span className="file-desc">
                {f.description} <span className="file-lines">· {linesText(f.content)}</span>
              </span>
              <span className="file-actions">
                <button type="button" className="icon" aria-label={`Copy ${f.path}`} onClick={() => copy(f)}>
                  Copy
                </button>
                <button type="button" className="icon" aria-label={`Download ${f.path}`} onClick={() => download(f)}>
                  Download
                </button>
              </span>
            </li>
          );
        })}
      </ul>
      <section className="preview" id="export-preview" aria-labelledby="export-preview-title">
        <div className="preview-head">
          <h3 id="export-preview-title">{file.path}</h3>
          <span className="muted">{linesText(file.content)}</span>
        </div>
        <pre tabIndex={0} aria-labelledby="export-preview-title" data-testid="export-preview" data-path={file.path}>
          <code>{file.content}</code>
        </pre>
      </section>
    </div>
  );
}
