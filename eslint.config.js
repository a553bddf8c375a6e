import tseslint from 'typescript-eslint';

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
    files: ['functions/**/*.ts'],
    rules: {
      // Secrets never leave: forbid logging raw header bags, which carry authorization/x-api-key.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='console'] MemberExpression[property.name='headers']",
          message: 'Do not log request or upstream headers: they carry keys. Log named, safe fields.',
        },
      ],
    },
  },
);
