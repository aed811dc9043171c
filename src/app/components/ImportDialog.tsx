/**
 * Import a docker-compose.yml (pasted, chosen or dropped) and `docker stats --no-stream` output.
 * The text is parsed in a Web Worker as it changes; the dialog shows what was recognised per
 * service and why, or each problem with its line and column. Nothing changes until the user
 * confirms, and then as one undo step; Cancel and Escape keep the plan as it is.
 */
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import { sizeParse, sizeToPlan, type PlanInput } from '../../engine/index.ts';
import { deriveOf } from '../derive/engine.ts';
import { JobLane, MAX_IMPORT_BYTES, type LaneOutcome } from '../import/client.ts';
import type { ComposeJob, Job, StatsJob } from '../import/jobs.ts';
import { bytesText, containerNamesOf, importRows, observedRows } from '../import/summary.ts';
import { plannerStore, useActions, usePlanner } from '../state/instance.ts';
import { IMPORTED_LABEL } from '../state/composeSource.ts';
import { ImportTable, IssueList, ObservedTable } from './ImportResults.tsx';
import { visibleText } from '../../formats/visible-text.ts';
import './import.css';

/** Pauses in typing longer than this re-read the text. Assumed: long enough to skip most keystrokes of a paste being edited. */
const TYPING_PAUSE_MS = 300;
/** Larger files are read but not put in the text box, whose layout would then cost more than the parse. Assumed. */
const SHOWN_MAX_CHARS = 512 * 1024;

/** Container names from the last compose file imported on this page, for a later `docker stats` paste. */
let rememberedNames: Record<string, string> = {};

type Request<J extends Job> = { job: J; delayMs: number };
type JobState<J extends Job> = { request: Request<J> | null; pending: boolean; outcome: LaneOutcome<J> | null };

/** Runs the newest request in its own worker; `fresh` when the outcome shown is the current request's. */
function useJob<J extends Job>(request: Request<J> | null) {
  const lane = useMemo(() => new JobLane(), []);
  useEffect(() => () => lane.dispose(), [lane]);
  const [state, setState] = useState<JobState<J>>({ request: null, pending: false, outcome: null });
  useEffect(() => {
    if (!request) {
      setState({ request: null, pending: false, outcome: null });
      return;
    }
    setState((s) => ({ ...s, pending: true }));
    let live = true;
    const timer = setTimeout(() => {
      void lane.run(request.job).then((outcome) => {
        if (live && outcome.status !== 'superseded') setState({ request, pending: false, outcome });
      });
    }, request.delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [request, lane]);
  const fresh = !state.pending && state.request === request && request !== null;
  const result = state.outcome?.status === 'done' ? state.outcome.result : null;
  return { pending: state.pending, fresh, result, ms: state.outcome?.status === 'done' ? state.outcome.ms : null, failed: state.outcome?.status === 'failed' ? state.outcome.message : null };
}

/** The host's RAM as the plan writes it, for the Host RAM field. */
function hostText(ram: PlanInput['host']['ram']): string {
  return typeof ram === 'number' ? sizeToPlan(ram) : String(ram);
}

type LoadedFile = { name: string; size: number; text: string };

export default function ImportDialog({ onClose }: { onClose: () => void }) {
  const current = usePlanner((s) => s.input);
  const { planReplace, planSet, noticePush } = useActions();
  const dialog = useRef<HTMLDialogElement>(null);
  const composeBox = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const [composeText, setComposeText] = useState('');
  const [bigFile, setBigFile] = useState<LoadedFile | null>(null);
  const [sourceName, setSourceName] = useState<string | null>(null);
  const [fromFile, setFromFile] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [envText, setEnvText] = useState('');
  const [host, setHost] = useState(() => hostText(plannerStore.getState().input.host?.ram ?? '4GiB'));
  const [statsText, setStatsText] = useState('');

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    composeBox.current?.focus();
    return () => d?.close();
  }, []);

  // Compose file → plan, in the worker.
  const source = bigFile?.text ?? composeText;
  const composeActive = source.trim() !== '';
  const hostCheck = sizeParse(host.trim());
  const hostError = !hostCheck.ok ? hostCheck.error : hostCheck.value < 64 ? 'expected a host of at least 64 MiB' : null;
  const composeRequest = useMemo<Request<ComposeJob> | null>(
    () => (!composeActive || hostError !== null || source.length > MAX_IMPORT_BYTES ? null : { job: { type: 'compose', text: source, envText, host: host.trim() }, delayMs: fromFile ? 0 : TYPING_PAUSE_MS }),
    [composeActive, hostError, source, envText, host, fromFile],
  );
  const compose = useJob(composeRequest);
  const composeOk = compose.result?.ok ? compose.result : null;

  // docker stats → observed usage on the imported plan (or on the current one when no compose file is given).
  const base = composeActive ? (composeOk?.input ?? null) : current;
  const names = useMemo(() => (composeOk ? containerNamesOf(composeOk.services) : rememberedNames), [composeOk]);
  const statsActive = statsText.trim() !== '';
  const statsRequest = useMemo<Request<StatsJob> | null>(() => (statsActive && base ? { job: { type: 'stats', input: base, text: statsText, containerNames: names }, delayMs: TYPING_PAUSE_MS } : null), [statsActive, base, statsText, names]);
  const stats = useJob(statsRequest);
  const statsOk = stats.result?.ok ? stats.result : null;

  const composeReady = composeActive && compose.fresh && composeOk !== null;
  const statsReady = statsActive && stats.fresh && statsOk !== null;
  const final: PlanInput | null = statsActive ? (statsReady && (!composeActive || composeReady) ? statsOk.input : null) : composeReady ? composeOk.input : null;

  const rows = useMemo(() => {
    if (!composeOk) return [];
    const d = deriveOf(composeOk.input);
    return importRows(composeOk.services, d.status === 'ok' ? d.report : null);
  }, [composeOk]);
  const observed = useMemo(() => {
    if (!statsOk) return null;
    const d = deriveOf(statsOk.input);
    return d.status === 'ok' ? { rows: observedRows(d.report, statsOk.match), margin: d.plan.workload.observedMargin } : null;
  }, [statsOk]);

  const loadFile = async (file: File) => {
    setRefusal(null);
    if (file.size > MAX_IMPORT_BYTES) {
      setRefusal(`${file.name} is ${bytesText(file.size)}: the import reads at most ${bytesText(MAX_IMPORT_BYTES)}. Nothing was read.`);
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      setRefusal(`${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    setSourceName(file.name);
    setFromFile(true);
    if (text.length > SHOWN_MAX_CHARS) {
      setBigFile({ name: file.name, size: file.size, text });
      setComposeText('');
    } else {
      setBigFile(null);
      setComposeText(text);
    }
  };
  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (file) void loadFile(file);
  };
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) return void loadFile(file);
    const text = e.dataTransfer.getData('text/plain');
    if (text) typeCompose(text);
  };
  const typeCompose = (text: string) => {
    setComposeText(text);
    setFromFile(false);
    setRefusal(null);
  };
  const clearBigFile = () => {
    setBigFile(null);
    setSourceName(null);
    setFromFile(false);
  };

  const confirm = () => {
    if (!final) return;
    if (composeActive && composeOk) {
      rememberedNames = containerNamesOf(composeOk.services);
      const n = composeOk.services.length;
      const what = `${sourceName ?? 'the compose file'}: ${n} service${n === 1 ? '' : 's'}${statsReady ? ', with observed usage' : ''}`;
      // The export tab edits this text, as `headroom export docker-compose.yml` edits the file (state/composeSource.ts).
      if (!planReplace(final, { tone: 'info', text: `Imported ${what}. Undo brings back the previous plan.` }, { text: source, envText, label: sourceName ?? IMPORTED_LABEL })) return;
    } else {
      if (!planSet(final, 'The observed usage')) return;
      noticePush('info', `Added observed usage from docker stats to ${statsOk?.match.matched.length ?? 0} services. Undo takes it back.`);
    }
    onClose();
  };

  // Undo keys belong to the text boxes here, not to the plan behind the dialog.
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && ['z', 'y'].includes(e.key.toLowerCase())) e.stopPropagation();
  };

  const imported = composeOk?.services.length;
  const confirmLabel = composeActive ? `Replace the plan with ${imported === undefined ? 'this compose file' : imported === 1 ? 'this service' : `these ${imported} services`}` : 'Add the observed usage to the plan';
  const blocked = composeActive && !composeReady ? 'Waiting for a compose file that reads.' : statsActive && !statsReady ? 'Waiting for docker stats that read.' : !composeActive && !statsActive ? 'Paste, choose or drop a compose file, or paste docker stats.' : null;

  return (
    <dialog
      ref={dialog}
      className="import-dialog"
      aria-labelledby="import-title"
      aria-describedby="import-intro"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={onKeyDown}
      data-testid="import-dialog"
    >
      <header className="import-head">
        <h2 id="import-title">Import compose…</h2>
        <button type="button" className="icon" onClick={onClose} aria-label="Close without importing">
          ✕
        </button>
      </header>
      <div className="import-body">
        <p id="import-intro" className="muted">
          Start from the stack you already run. Nothing changes until you confirm below; a compose file then replaces the services, workload and toggles (defaults, as <code>headroom check</code> does), in one step that Undo takes back.
        </p>

        <section className={`import-section${dragging ? ' drop-active' : ''}`} aria-labelledby="compose-title" onDragOver={onDragOver} onDragLeave={() => setDragging(false)} onDrop={onDrop} data-testid="compose-drop">
          <h3 id="compose-title">1. docker-compose.yml</h3>
          {bigFile ? (
            <p className="import-file" data-testid="import-file">
              <strong>{bigFile.name}</strong> ({bytesText(bigFile.size)}) is read as a whole; it is too large to show here.{' '}
              <button type="button" onClick={clearBigFile}>
                Remove the file
              </button>
            </p>
          ) : (
            <textarea ref={composeBox} className="import-text" aria-label="Compose file text" placeholder={'services:\n  db:\n    image: postgres:16\n    mem_limit: 1g'} spellCheck={false} rows={9} value={composeText} onChange={(e) => typeCompose(e.target.value)} />
          )}
          <div className="import-row">
            <button type="button" onClick={() => fileInput.current?.click()}>
              Choose a file…
            </button>
            <input ref={fileInput} type="file" accept=".yml,.yaml,.json,text/yaml,application/yaml" className="visually-hidden" tabIndex={-1} aria-label="Compose file to import" onChange={onPick} />
            <span className="muted">or drop one here.</span>
            <label className="import-host">
              Host RAM{' '}
              <input type="text" value={host} onChange={(e) => setHost(e.target.value)} aria-invalid={hostError !== null} aria-describedby={hostError ? 'import-host-error' : undefined} size={8} />
            </label>
          </div>
          {hostError && (
            <p id="import-host-error" className="field-error" role="alert">
              Host RAM: {hostError}
            </p>
          )}
          <details className="import-env">
            <summary>.env (optional): values for ${'{VAR}'} in the file</summary>
            <textarea className="import-text" aria-label=".env text" placeholder={'POSTGRES_SHARED_BUFFERS=256MB\nREDIS_MAXMEMORY=200mb'} spellCheck={false} rows={4} value={envText} onChange={(e) => setEnvText(e.target.value)} />
          </details>
          {refusal && (
            <p className="bad-text" role="alert" data-testid="import-refusal">
              {visibleText(refusal)}
            </p>
          )}
          <ComposeStatus active={composeActive} tooBig={source.length > MAX_IMPORT_BYTES} pending={compose.pending} failed={compose.failed} result={compose.result} />
          {composeOk && (
            <div className={compose.pending ? 'stale' : undefined} aria-busy={compose.pending}>
              <ImportTable rows={rows} />
              {composeOk.notes.length > 0 && (
                <ul className="import-notes">
                  {composeOk.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </section>

        <section className="import-section" aria-labelledby="stats-title">
          <h3 id="stats-title">2. Observed usage (optional): docker stats --no-stream</h3>
          <p className="muted">
            Paste the output of <code>docker stats --no-stream</code> (or several snapshots) from the running host. Containers are matched by <code>container_name</code> or compose’s <code>project-service-1</code> names; {composeActive ? 'the usage is added to the imported plan.' : 'with no compose file above, it is added to the current plan.'}
          </p>
          <textarea className="import-text" aria-label="docker stats output" placeholder={'NAME        MEM USAGE / LIMIT\npostgres    245.3MiB / 800MiB'} spellCheck={false} rows={5} value={statsText} onChange={(e) => setStatsText(e.target.value)} />
          <StatsStatus active={statsActive} waiting={statsActive && base === null} pending={stats.pending} failed={stats.failed} result={stats.result} />
          {statsOk && observed && (
            <div className={stats.pending ? 'stale' : undefined} aria-busy={stats.pending}>
              {observed.rows.length > 0 && <ObservedTable rows={observed.rows} margin={observed.margin} />}
              <ul className="import-notes">
                {statsOk.match.unmatched.length > 0 && <li>Not matched to a service: {statsOk.match.unmatched.join(', ')}</li>}
                {statsOk.match.missing.length > 0 && <li>No container seen for: {statsOk.match.missing.join(', ')}</li>}
                {statsOk.match.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
              <p className="muted">The services table does not show observed usage yet; the findings plan limits from it once the plan holds it.</p>
            </div>
          )}
        </section>
      </div>
      <footer className="import-foot">
        <span className="muted" role="status">
          {blocked ?? 'Ready: the current plan stays until you confirm.'}
        </span>
        <button type="button" className="primary" onClick={confirm} disabled={final === null}>
          {confirmLabel}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </footer>
    </dialog>
  );
}

type ComposeResult = ReturnType<typeof useJob<ComposeJob>>['result'];

function ComposeStatus({ active, tooBig, pending, failed, result }: { active: boolean; tooBig: boolean; pending: boolean; failed: string | null; result: ComposeResult }) {
  let body: ReactNode;
  if (!active) body = <span className="muted">Paste a compose file, choose one, or drop it on this box.</span>;
  else if (tooBig) body = <span className="bad-text">The text is over {bytesText(MAX_IMPORT_BYTES)}: the import reads at most that much.</span>;
  else if (pending) body = <span className="busy">Reading the compose file…</span>;
  else if (failed) body = <span className="bad-text">The reader stopped: {failed}. The current plan is unchanged.</span>;
  else if (!result) body = null;
  else if (result.ok) body = <span className="ok-text">Recognised {result.services.length === 1 ? 'one service' : `${result.services.length} services`}: check the kinds and limits below, then confirm.</span>;
  else
    body = (
      <>
        <span className="bad-text">
          {result.notCompose ? (result.planLike ? 'This is not a compose file; it looks like a Headroom plan file: use “Upload plan…” instead.' : 'This YAML is not a compose file.') : `The compose file was not read: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}.`} The current plan is unchanged.
        </span>
        <IssueList issues={result.issues} testId="import-issue" />
      </>
    );
  return (
    <div className="import-status" role="status" aria-live="polite" data-testid="import-status">
      {body}
    </div>
  );
}

type StatsResult = ReturnType<typeof useJob<StatsJob>>['result'];

function StatsStatus({ active, waiting, pending, failed, result }: { active: boolean; waiting: boolean; pending: boolean; failed: string | null; result: StatsResult }) {
  let body: ReactNode = null;
  if (!active) body = null;
  else if (waiting) body = <span className="muted">Matched once the compose file above reads.</span>;
  else if (pending) body = <span className="busy">Reading docker stats…</span>;
  else if (failed) body = <span className="bad-text">The reader stopped: {failed}.</span>;
  else if (result && !result.ok)
    body = (
      <>
        <span className="bad-text">The docker stats text was not read:</span>
        <IssueList issues={result.issues} testId="stats-issue" />
      </>
    );
  else if (result?.ok) body = <span className="ok-text">Observed usage for {result.match.matched.length} service{result.match.matched.length === 1 ? '' : 's'}.</span>;
  return (
    <div className="import-status" role="status" aria-live="polite" data-testid="stats-status">
      {body}
    </div>
  );
}
