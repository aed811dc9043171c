import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The engine and the format code are pure: no UI library, no DOM, no store, no I/O.
const pureRestrictions = {
  patterns: [
    { group: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*', 'recharts', '@tanstack/*'], message: 'src/engine and src/formats are pure TypeScript: no UI libraries or store.' },
    { group: ['node:*', 'fs', 'path', 'child_process', 'os'], message: 'src/engine and src/formats do no I/O: the CLI and the app read and write.' },
    { group: ['../app/*', '../cli/*', '../../app/*', '../../cli/*'], message: 'The core must not import the edges.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/', '.tmp/', 'calibration/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/formats/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': ['error', pureRestrictions],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'process'],
    },
  },
  {
    // An export tunes once (export/index.ts) and hands the tunings to every writer: no format calls a tuner itself.
    files: ['src/formats/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...pureRestrictions.patterns,
          { group: ['**/engine/kinds/**'], importNames: ['tunePostgres', 'tuneRedis', 'tunePgbouncer'], message: 'Writers read the export\'s tunings (Tunings.of), computed once in exportFiles; they never tune.' },
        ],
      }],
    },
  },
);
