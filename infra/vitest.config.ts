import { defineConfig } from 'vitest/config';

// Generous bounds, not timing assertions: `docker-compose config` and the app start-ups
// share two cores with the rest of the workspace's tests.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
