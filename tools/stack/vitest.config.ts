import { defineConfig } from 'vitest/config';

// Tests here spawn real processes on a shared 2-core machine: the bounds are generous upper limits
// (tests poll and finish as soon as their condition holds), never timing assertions.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
