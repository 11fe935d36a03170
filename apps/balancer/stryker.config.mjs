// Mutation testing for the balancer's limits and forwarding modules (`pnpm test:mutation`);
// target ≥ 80 %. The request path has its own config: `pnpm test:mutation:request-path`
// (stryker.request-path.config.mjs), also ≥ 80 % and in `test:mutation:ci`.
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/limits/*.ts', 'src/forwarded.ts', '!src/**/*.test.ts'],
  break: 80,
  extra: { vitest: { configFile: 'vitest.mutation.limits.config.ts' } },
});
