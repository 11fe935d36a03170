// Mutation testing for the model-server's batcher and runtime (`pnpm test:mutation`); target
// ≥ 80 %, not held yet (`break: 0`): only part of the batcher has had a run (README "Mutation
// testing"). The per-mutant suite is vitest.mutation.config.ts (batcher + runtime tests).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/model/batcher.ts', 'src/model/runtime.ts'],
  break: 0,
  extra: { vitest: { configFile: 'vitest.mutation.config.ts' } },
});
