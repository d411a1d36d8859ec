// @ts-check
// ESLint for Nedbrud, run by `npm run lint` (and so by `npm test`).
//
// TypeScript (src/, test/, bench/) is linted with type information, so the rules
// that catch real bugs can see types: promises nobody awaits or handles
// (no-floating-promises, no-misused-promises, await-thenable), throwing or
// rejecting with non-errors, casts that do nothing, `any` leaking from JSON,
// switches over a union that miss a member.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The globals a plain JavaScript file may use (TypeScript files get theirs from the compiler). */
const NODE_GLOBALS = /** @type {const} */ ({
  process: 'readonly',
  console: 'readonly',
  require: 'readonly',
  module: 'writable',
  __dirname: 'readonly',
  __filename: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
});
const BROWSER_GLOBALS = /** @type {const} */ ({
  window: 'readonly',
  document: 'readonly',
  console: 'readonly',
  fetch: 'readonly',
  localStorage: 'readonly',
  EventSource: 'readonly',
  CSS: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
});

export default defineConfig(
  globalIgnores(['dist/**', 'dist-bench/**', 'data/**', 'devTools/**', 'test-results/**', '.deployment/**']),

  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'vitest.config.mts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // tsconfig.check.json covers src/, bench/, test/ and vitest.config.mts.
        project: ['./tsconfig.check.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A switch over a union must name every member unless it has a deliberate `default`.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `_`-prefixed parameters and destructured elements are placeholders by
      // convention; `{ eTag, ...rest }` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Off, deliberately: `async` without `await` is required where a function
      // must return a promise: restify accepts a two-argument handler only if it
      // is an AsyncFunction, BotState's key factory and Bot Framework's overrides
      // return promises, and `async` is what turns a throw into a rejection for a
      // caller who awaits. The promise bugs are caught by no-floating-promises,
      // no-misused-promises and await-thenable.
      '@typescript-eslint/require-await': 'off',
      // Off: Bot Framework's `activity.type` is a string compared with its own
      // `ActivityTypes` enum, which is the SDK's documented idiom.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Off: every control character in a pattern here is there on purpose, to
      // strip or refuse control characters in what people write or mail.
      'no-control-regex': 'off',
    },
  },

  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests only: vitest types its asymmetric matchers (`expect.any(String)`,
      // `expect.objectContaining(…)`) as `any`, so every pattern that uses one is an
      // "unsafe assignment"; and botbuilder's `Storage.read` returns `StoreItems`
      // (`{ [key: string]: any }`), whose `eTag` the storage tests read straight back.
      // The product code (src/) keeps both rules.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },

  // Plain JavaScript: the CommonJS test workers, the scripts and this file (Node),
  // and the playground page (a browser script).
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['playground/**/*.js'],
    languageOptions: { sourceType: 'script', globals: BROWSER_GLOBALS },
  },
);
