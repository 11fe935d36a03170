import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite Stryker runs per mutant (stryker.batcher.config.mjs, stryker.runtime.config.mjs;
// each picks its own files with `testFiles`): the batcher's unit tests (fake clock) and the
// runtime's tests on the real onnxruntime (tiny models). The app tests (each builds a real
// replica, some with worker threads) made the dry run 85 s and a mutant several seconds; the
// process tests run the built dist/, not the mutant, so the global setup that builds dist/ is
// off too (in the sandbox every instrumented source is newer than dist/). Leaving tests out
// only makes the score stricter.
// (Spread, not mergeConfig: mergeConfig would append these lists to the base ones.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['src/model/batcher*.test.ts', 'test/runtime*.test.ts'],
    globalSetup: [],
  },
});
