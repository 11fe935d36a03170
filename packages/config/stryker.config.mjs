// Mutation testing for @fleet/config (`pnpm test:mutation`); target ≥ 85 %. Survivors that cannot
// be killed are marked in the source with `// Stryker disable next-line <mutator>: <reason>`.
//
// Two departures from the shared settings, for time: no TypeScript checker (type-checking each
// mutant of the zod schemas took tsc most of a minute; a mutant that does not compile fails
// the tests anyway) and static mutants ignored (the schemas are built at module load, so each
// such mutant would re-run the whole suite; the schema tests still exercise them).
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/**/*.ts', '!src/**/*.test.ts', '!src/index.ts'],
  break: 85,
  extra: { checkers: [], ignoreStatic: true },
});
