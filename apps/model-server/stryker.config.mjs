// Mutation testing for the model-server's batcher and runtime (`pnpm test:mutation`), set up
// while they are being reworked: scores are reported, not yet held to the 80 % target.
import { strykerConfig } from '../../stryker.base.mjs';

export default strykerConfig({
  mutate: ['src/model/batcher.ts', 'src/model/runtime.ts'],
  break: 0,
});
