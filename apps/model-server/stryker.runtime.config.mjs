// Mutation testing for the model-server's inference runtime (`pnpm test:mutation:runtime`;
// README "Mutation testing"): runtime.ts against its tests on the real onnxruntime (tiny graphs in
// a temp dir, `testFiles`). Target ≥ 80 % (`break`); CI runs it with `--incremental` against the
// committed stryker-incremental.runtime.json (`test:mutation:ci`).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/model/runtime.ts'],
  break: 80,
  extra: {
    testFiles: ['test/runtime*.test.ts'],
    vitest: { configFile: 'vitest.mutation.config.ts' },
    htmlReporter: { fileName: 'reports/mutation-runtime/index.html' },
    incrementalFile: 'stryker-incremental.runtime.json',
  },
});
