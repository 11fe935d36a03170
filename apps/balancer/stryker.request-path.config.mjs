// The request path's other decision modules: error classification (upstream-errors.ts), the
// retry budget, the handler's routing/limits/answer logic and proxy.ts: `pnpm --filter
// @fleet/balancer test:mutation:request-path`. Per mutant it runs the focused suite of
// vitest.mutation.request-path.config.ts (the whole suite cost ~10 s per mutant). The retry walk
// (walk.ts) has its own config against its unit tests (stryker.walk.config.mjs): every server
// test runs through it, which made each walk mutant cost 5–10 s here.
// `src/upstream-relay.ts` (the undici client) is left out on purpose: it is being replaced, and
// its mutants would be measured against a client that is about to go. Add its successor here
// once it lands.
// Target ≥ 80 % (`break`); CI runs it third in `test:mutation:ci` with `--incremental` against the
// committed stryker-incremental.request-path.json (an unchanged tree: ~2.5 min here, nearly all
// of it the dry run; a whole run without the file is ~38 min).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/upstream-errors.ts', 'src/retry-budget.ts', 'src/handler.ts', 'src/proxy.ts'],
  break: 80,
  extra: {
    vitest: { configFile: 'vitest.mutation.request-path.config.ts' },
    htmlReporter: { fileName: 'reports/mutation-request-path/index.html' },
    incrementalFile: 'stryker-incremental.request-path.json',
  },
});
