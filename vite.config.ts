import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The page is written against React's API (and typed with @types/react) but runs on Preact's compat
// layer: React 19 and react-dom were ~70 kB gzip of the first load, preact + preact/compat are
// ~12 kB, and the first-load budget is 100 kB (issue 16; README, Benchmarks). The libraries that
// import react (zustand, recharts and react-redux, @tanstack/react-table) get preact/compat too.
const preact = [
  { find: /^react$/, replacement: 'preact/compat' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
  // recharts asks react-is whether a child is a Fragment (to flatten it); react-is 19 knows only
  // React's elements, preact/compat's isFragment knows Preact's (the only react-is import bundled).
  { find: /^react-is$/, replacement: 'preact/compat' },
];

export default defineConfig({
  // The plugin compiles the JSX (to react/jsx-runtime, aliased below). React Fast Refresh needs
  // react-dom's renderer, so it is off: in `npm run dev` an edited component reloads the page.
  plugins: [react({ refreshExclude: /./ })],
  resolve: { alias: preact },
  build: { outDir: 'dist/app', emptyOutDir: true, sourcemap: false },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
});
