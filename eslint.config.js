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
  {
    // The page's first load (issue 16): modules the entry imports reach the engine's heavy half
    // (the schema with zod/mini, evaluate, the kinds' registry) only through engine() in
    // src/app/derive/schema.ts, which loads it as a chunk of its own. Types are free; components
    // and derivations that load lazily may import it directly.
    files: ['src/app/**/*.ts', 'src/app/**/*.tsx'],
    ignores: [
      '**/*.test.ts',
      'src/app/derive/lazyEngine.ts',
      'src/app/derive/{upgrade,export,criteria,fit,charts}.ts',
      'src/app/components/{ServicesTable,ServiceRow,SettingsPanel,Charts,Criteria,UpgradePath,ExportPanel,ImportDialog,ImportResults,Calibration,FitPanel}.tsx',
      'src/app/import/**',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '/engine/(schema|evaluate|kinds/index|index|fit|tune|capacity)\\.ts$', allowTypeImports: true, message: 'The page\'s entry reaches the engine\'s heavy half through engine() (src/app/derive/schema.ts), or from a lazily loaded component: a static import puts zod/mini and every kind back in the first load.' }],
      }],
    },
  },
);
