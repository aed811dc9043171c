/** Opens the plan (share link, saved plan or preset), then renders the page. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { bootFromWindow } from './state/boot.ts';
import { plannerStart, storageOf } from './state/instance.ts';
import { retryOnce } from './retry.ts';
import './styles.css';

const root = document.getElementById('root');
/** The boot (its engine chunk, the opening plan's kinds), tried a second time when a chunk did not load (retry.ts). */
function boot(): ReturnType<typeof bootFromWindow> {
  return retryOnce(() => bootFromWindow(storageOf()));
}

if (root) {
  void boot().then((opened) => {
    plannerStart(opened);
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  }, (e: unknown) => {
    // The engine's chunk did not load (offline, a deploy replaced it): say so instead of the placeholder forever.
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = `Headroom could not load its engine (${e instanceof Error ? e.message : String(e)}). Reload the page to try again; your saved plan is kept.`;
    root.replaceChildren(p);
  });
}
