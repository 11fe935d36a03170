// Shared Stryker settings for every package's stryker.config.mjs (`pnpm test:mutation`).
// pnpm keeps plugins out of @stryker-mutator/core's reach, so they are given by absolute path.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * @param {object} options
 * @param {string[]} options.mutate   files to mutate (globs, `!` to exclude)
 * @param {number} options.break      the mutation score under which `stryker run` fails
 * @param {object} [options.extra]    any other Stryker option (e.g. `vitest.configFile`)
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerConfig({ mutate, break: breakAt, extra = {} }) {
  return {
    packageManager: 'pnpm',
    plugins: [require.resolve('@stryker-mutator/vitest-runner'), require.resolve('@stryker-mutator/typescript-checker')],
    testRunner: 'vitest',
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.json',
    mutate,
    reporters: ['html', 'clear-text', 'progress'],
    htmlReporter: { fileName: 'reports/mutation/index.html' },
    // Committed beside the config, so `--incremental` in a fresh clone (CI) only re-tests
    // mutants in changed code or covered by changed tests.
    incrementalFile: 'stryker-incremental.json',
    tempDirName: '.stryker-tmp',
    concurrency: 2,
    thresholds: { high: Math.min(100, breakAt + 5), low: breakAt, break: breakAt },
    ...extra,
  };
}
