import { defineConfig } from 'vitest/config';

// Some tests start a real NGINX (when installed) on loopback: generous bounds, never timing assertions.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
