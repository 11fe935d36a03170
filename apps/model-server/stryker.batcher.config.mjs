// Mutation testing for the model-server's dynamic batcher (`pnpm test:mutation:batcher`; README
// "Mutation testing"): batcher.ts against its own unit tests on a fake clock (`testFiles`), not
// the runtime's onnxruntime tests that also run through it. Target ≥ 80 % (`break`); CI runs it
// with `--incremental` against the committed stryker-incremental.batcher.json (`test:mutation:ci`).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/model/batcher.ts'],
  break: 80,
  extra: {
    testFiles: ['src/model/batcher*.test.ts'],
    vitest: { configFile: 'vitest.mutation.config.ts' },
    htmlReporter: { fileName: 'reports/mutation-batcher/index.html' },
    incrementalFile: 'stryker-incremental.batcher.json',
  },
});
