// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The domain and services layers stay free of SDKs and of the Functions programming model.
    files: ['shared/domain/**/*.ts', 'shared/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@azure/*', 'openai', '../adapters/*', '../../adapters/*', '../http/*', '../../http/*'] },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/http/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['@azure/functions'] }],
    },
  },
);
