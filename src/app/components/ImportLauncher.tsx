/** The header's "Import compose…" button; the dialog (and the parser behind it) load on first use. */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { retryOnce } from '../retry.ts';

const loadDialog = () => import('./ImportDialog.tsx');
const ImportDialog = lazy(() => retryOnce(loadDialog));

export function ImportLauncher() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  // Back to the button once the dialog is gone (while it is open, the page behind it is inert).
  useEffect(() => {
    if (wasOpen.current && !open) button.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const close = () => setOpen(false);
  return (
    <span className="group">
      {/* Fetched on hover or focus, so the dialog is usually there by the click. */}
      <button ref={button} type="button" onClick={() => setOpen(true)} onPointerEnter={() => void loadDialog()} onFocus={() => void loadDialog()} aria-haspopup="dialog" aria-expanded={open}>
        Import compose…
      </button>
      {open && (
        <Suspense fallback={<span role="status" className="muted">Opening the import…</span>}>
          <ImportDialog onClose={close} />
        </Suspense>
      )}
    </span>
  );
}
