/** Opens the plan (share link, saved plan or preset), then renders the page. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { bootFromWindow } from './state/boot.ts';
import { plannerStart, storageOf } from './state/instance.ts';
import './styles.css';

const root = document.getElementById('root');
/** Assumed: long enough for a dropped connection to the server to come back, short enough not to be noticed. */
const BOOT_RETRY_MS = 500;

/**
 * The boot, tried a second time when a chunk did not load: a browser that follows whatwg/html#10327
 * (failed module fetches are not cached) fetches it again, so a dropped request does not cost the
 * page (seen once in CI, 2026-12-03: "Failed to fetch dynamically imported module"); one that caches
 * the failure fails again at once, and the page says so as before.
 */
function boot(): ReturnType<typeof bootFromWindow> {
  return bootFromWindow(storageOf()).catch(() => new Promise((r) => setTimeout(r, BOOT_RETRY_MS)).then(() => bootFromWindow(storageOf())));
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
