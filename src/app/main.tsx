/** Opens the plan (share link, saved plan or preset), then renders the page. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { bootFromWindow } from './state/boot.ts';
import { plannerStart, storageOf } from './state/instance.ts';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  void bootFromWindow(storageOf()).then((boot) => {
    plannerStart(boot);
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
