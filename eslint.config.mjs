import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

// The core holds the rules and must stay pure: the lint makes the layering a build failure.
const CORE_FORBIDDEN = [
  { group: ['node:fs', 'fs', 'node:fs/*', 'fs/*', 'node:child_process', 'child_process', 'node:net', 'net', 'node:http', 'http', 'node:https', 'https', 'node:os', 'os'], message: 'src/main/core is pure: do I/O in an adapter.' },
  { group: ['electron', 'better-sqlite3', 'pg', 'dockerode', 'ws'], message: 'src/main/core is pure: wrap external systems in src/main/adapters.' },
  { group: ['../adapters/*', '../services/*', '../handlers/*', '../cli/*'], message: 'src/main/core must not depend on outer layers.' }
]

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.native/**', 'test-results/**', 'test/fixtures/**/*.json', '*.tsbuildinfo'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off'
    }
  },
  {
    // A skipped or focused test is a defect: it cannot fail.
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['it', 'test', 'describe'].flatMap((object) =>
          ['skip', 'only', 'todo', 'skipIf', 'runIf'].map((property) => ({ object, property, message: 'Tests always run.' }))
        )
      ]
    }
  },
  {
    files: ['src/main/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: CORE_FORBIDDEN }] }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The renderer talks only to the exposed contract.
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', 'node:*', 'electron'], message: 'The renderer reaches main only through the contract (window.rampart).' }] }]
    }
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
