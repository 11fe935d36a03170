import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite Stryker runs per mutant of the request path (stryker.request-path.config.mjs): the
// unit tests of the retry walk, the retry budget and the error classification, and the
// in-process server tests that drive requests through the handler and proxy: retries and their
// limits, failover, error codes and status mapping, limits through the server, streaming,
// the handler's own answers (request heads, OPTIONS *, body spooling, the access log), and the
// balancer's own EMFILE (local-resources).
// The whole suite costs ~10 s per mutant (over an hour); this one keeps a full run near 25 min.
// Leaving tests out only makes the score stricter.
// (Spread, not mergeConfig: mergeConfig would append this list to the base one.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'src/walk*.test.ts',
      'src/proxy.test.ts',
      'src/retry-budget*.test.ts',
      'src/upstream-errors*.test.ts',
      'test/request-path*.test.ts',
      'test/retry-limits.test.ts',
      'test/hardening-retry.test.ts',
      'test/error-paths.test.ts',
      'test/proxy.test.ts',
      'test/upstream-clients.test.ts',
      'test/limits.test.ts',
      'test/streaming.test.ts',
      'test/access-log.test.ts',
      'test/hardening-heads.test.ts',
      'test/hardening-spool.test.ts',
      // EMFILE through the real balancer (a lowered descriptor limit): the only test that
      // reaches proxy.ts's `Retry-After: 1` on LOCAL_RESOURCES_EXHAUSTED.
      'test/local-resources.test.ts',
    ],
  },
});
