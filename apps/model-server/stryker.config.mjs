// Mutation testing for the model-server's batcher and runtime (`pnpm test:mutation`); held at
// ≥ 80 % (`break`), run by CI with `--incremental` against the committed stryker-incremental.json
// (`test:mutation:ci`; README "Mutation testing"). The per-mutant suite is
// vitest.mutation.config.ts (batcher + runtime tests).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/model/batcher.ts', 'src/model/runtime.ts'],
  break: 80,
  extra: { vitest: { configFile: 'vitest.mutation.config.ts' } },
});
