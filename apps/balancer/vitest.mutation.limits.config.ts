import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite Stryker runs per mutant of the limits and forwarding modules (stryker.config.mjs):
// their unit tests and the in-process server tests that exercise limits, body handling and
// client identity. Leaving the rest of the balancer's suite out only makes the score stricter
// (fewer tests can kill a mutant), and keeps the dry run and each mutant short enough for CI.
// (Spread, not mergeConfig: mergeConfig would append this list to the base one.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'src/limits/*.test.ts',
      'src/forwarded*.test.ts',
      'src/headers.test.ts',
      'test/limits*.test.ts',
      'test/forwarding*.test.ts',
      'test/trusted-proxies.test.ts',
      'test/error-paths.test.ts',
      'test/hardening-heads.test.ts',
      'test/hardening-spool.test.ts',
      'test/streaming.test.ts',
    ],
  },
});
