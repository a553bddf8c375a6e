import tseslint from 'typescript-eslint';
import secrets from './scripts/lint/no-secret-in-log.js';

// The rules that catch this project's likeliest silent bugs: an un-awaited stream write or
// ledger write (no-floating-promises, no-misused-promises), and `any` leaking onto the
// request path.
export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', 'coverage/**', '.venv/**', '.bench/**', 'bench-results/**', '.ezybus/**', '.prof/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
    },
  },
  {
    // Secrets never leave: no header bag, key, token or key material reaches log() or console.*
    // (test/unit/lint-secrets.test.ts shows it firing).
    files: ['functions/**/*.ts', 'local/**/*.ts', 'bin/**/*.ts'],
    plugins: { ezybus: secrets },
    rules: { 'ezybus/no-secret-in-log': 'error' },
  },
);
