// ESLint: typescript-eslint's type-checked rules for everything, the layer rules for the service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerRules } from './eslint/layers.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.data/', 'test-artifacts/', '**/*.cjs', '**/*.mjs', 'vitest.config.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Vitest's asymmetric matchers (expect.any, expect.stringMatching, ...) are typed `any` by design,
    // so that they fit any field of an expected value; in tests they are what this rule would report.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // Stubbed activities implement an async interface with canned answers: `async` is how a stub
    // says it keeps that contract (a throw becomes a rejection), not a missing `await`.
    files: ['test/workflows/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  ...layerRules,
);
