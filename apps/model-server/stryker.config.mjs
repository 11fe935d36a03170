// Mutation testing for the model-server's batcher and runtime (`pnpm test:mutation`); ≥ 80 %
// (`break`), measured in line-range pieces (README "Mutation testing"). Not in CI's
// `test:mutation:ci` yet: the committed stryker-incremental.json, put together from those
// pieces, still makes a full incremental run re-test about half of the mutants (~1 h at
// concurrency 1 here). The per-mutant suite is vitest.mutation.config.ts (batcher + runtime tests).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/model/batcher.ts', 'src/model/runtime.ts'],
  break: 80,
  extra: { vitest: { configFile: 'vitest.mutation.config.ts' } },
});
