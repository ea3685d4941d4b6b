import tseslint from 'typescript-eslint';

// The path tells where code may run (STYLE.md): main/ never imports Electron or the DOM,
// and only the CLI's output module and scripts write to the console.
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
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
