import tseslint from 'typescript-eslint';
import layers from './build/eslint-layers.mjs';

// The path tells where code may run (STYLE.md): main/ never imports Electron or the DOM,
// and only the CLI's output module and scripts write to the console. Imports point down the layers
// of DESIGN.md (build/eslint-layers.mjs names the tiers): cli/server/lab-process/electron → service →
// jobs/analysis/report/sweep/bench → library/lab → data/presets → common/contract, each tier free to import
// its own; the renderer imports only types, and only from main/contract and electron/bridge-types.ts.
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'resources/**', 'renderer/dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'main/ runs in Node, workers and tests: no Electron here.' }] }],
      'no-console': 'error',
    },
  },
  {
    files: ['main/**/*.ts', 'electron/**/*.ts', 'renderer/**/*.ts'],
    plugins: { colt: layers },
    rules: { 'colt/layers': 'error' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
