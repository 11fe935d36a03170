import { defineConfig } from 'vitest/config';

// The agreement check starts a real model-server and a real uvicorn replica: generous bounds,
// never timing assertions.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
