import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import prettier from 'eslint-config-prettier'
import { layerPlugin } from './eslint/layer-rule.mjs'

// Deep relative paths hide which feature a file reaches into; an alias names it.
const NO_DEEP_RELATIVE = {
  group: ['../../*'],
  message: 'Import through an alias (@shared, @main, @renderer, @test) instead of ../../'
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.native/**',
      'test-results/**',
      'test/fixtures/**/*.json',
      '*.tsbuildinfo'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { rampart: layerPlugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      'rampart/layers': 'error'
    }
  },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}', 'bench/**/*.ts'],
    // test/resources reaches the demo service under resources/, which has no alias.
    ignores: ['src/renderer/**', 'test/resources/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DEEP_RELATIVE] }] }
  },
  {
    // A skipped or focused test is a defect: it cannot fail.
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['it', 'test', 'describe'].flatMap((object) =>
          ['skip', 'only', 'todo', 'skipIf', 'runIf'].map((property) => ({
            object,
            property,
            message: 'Tests always run.'
          }))
        )
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_DEEP_RELATIVE,
            {
              group: ['node:*', 'electron'],
              message: 'The renderer reaches main only through the contract (window.rampart).'
            }
          ]
        }
      ]
    }
  },
  // Layout is Prettier's (checked by `npm run lint`); no lint rule may argue with it.
  prettier,
  {
    // Except line length: Prettier cannot break long strings, template literals and comments, so
    // max-len catches those. It comes after eslint-config-prettier, which switches max-len off.
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] }
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
