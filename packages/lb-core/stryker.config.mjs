// Mutation testing for lb-core (`pnpm test:mutation`); target ≥ 90 %. Survivors that cannot be
// killed are marked in the source with `// Stryker disable next-line <mutator>: <reason>`.
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/**/*.ts', '!src/**/*.test.ts', '!src/index.ts', '!src/types.ts'],
  break: 90,
});
