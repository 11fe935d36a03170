// Flat config for the whole workspace. Boundary rules keep packages honest:
// no reaching into another package's src, no deep relative imports across packages,
// and lb-core stays pure (no clock, no randomness, no timers, no I/O).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const crossPackage = {
  patterns: [
    { group: ['@fleet/*/src', '@fleet/*/src/*'], message: "Import the package's public entry, not its src." },
    {
      group: ['../../packages/*', '../../../packages/*', '../../apps/*', '../../../apps/*', '../../tools/*'],
      message: 'Import other workspace packages by name (@fleet/...), not by relative path.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**', 'load-tests/results/**', '**/.stryker-tmp/**', '**/reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', crossPackage],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // The balancer's dashboard runs in the browser (bundled by esbuild at build time).
    files: ['apps/balancer/dashboard/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['packages/lb-core/src/**/*.ts'],
    ignores: ['packages/lb-core/src/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...crossPackage,
          patterns: [
            ...crossPackage.patterns,
            { group: ['node:*', 'undici', 'undici/*'], message: 'lb-core is pure: no I/O modules.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'lb-core is pure: configuration comes in as arguments.' },
        { name: 'setTimeout', message: 'lb-core has no timers: time is passed in as `now`.' },
        { name: 'setInterval', message: 'lb-core has no timers: time is passed in as `now`.' },
        { name: 'setImmediate', message: 'lb-core has no timers.' },
        { name: 'performance', message: 'lb-core reads no clock: time is passed in as `now`.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'lb-core reads no clock: time is passed in as `now`.' },
        { object: 'Math', property: 'random', message: 'lb-core takes an injected random source.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date']", message: 'lb-core reads no clock: time is passed in as `now`.' },
      ],
    },
  },
);
