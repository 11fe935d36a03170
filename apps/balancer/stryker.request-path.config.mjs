// The request path (handler → proxy → relay), measured but not held to a score while issue 9
// rewrites it: `pnpm --filter @fleet/balancer test:mutation:request-path`.
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/handler.ts', 'src/proxy.ts', 'src/upstream-relay.ts', 'src/upstream-errors.ts', 'src/retry-budget.ts'],
  break: 0,
  extra: {
    vitest: { configFile: 'vitest.mutation.config.ts' },
    htmlReporter: { fileName: 'reports/mutation-request-path/index.html' },
    incrementalFile: 'stryker-incremental.request-path.json',
  },
});
