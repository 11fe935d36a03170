import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite Stryker runs per mutant of the retry walk (stryker.walk.config.mjs): the walk's own
// unit tests (scripted exchanges, an injected or fake clock; no sockets). Every server test
// also runs through walk.ts, so with the request path's suite each walk mutant cost 5–10 s
// (about 25 min for the file); these take well under a second. Leaving the server tests out
// only makes the score stricter.
// (Spread, not mergeConfig: mergeConfig would append this list to the base one.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['src/walk*.test.ts'],
  },
});
