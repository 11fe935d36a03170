// The retry walk (walk.ts: which peer next, retries, the retry budget, per-try timeouts and
// hedges) against its own unit tests (vitest.mutation.walk.config.ts): `pnpm --filter
// @fleet/balancer test:mutation:walk`; target ≥ 80 % (`break`), run by CI with `--incremental`
// against the committed stryker-incremental.walk.json (`test:mutation:ci`).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/walk.ts'],
  break: 80,
  extra: {
    vitest: { configFile: 'vitest.mutation.walk.config.ts' },
    htmlReporter: { fileName: 'reports/mutation-walk/index.html' },
    incrementalFile: 'stryker-incremental.walk.json',
  },
});
