import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite Stryker runs per mutant: everything in-process. process.test.ts and
// replicas.test.ts start child processes, which would run the built dist/, not the mutant. The
// dashboard's browser code is not mutated, and its tsconfig extends the root one by a relative
// path that does not resolve inside Stryker's sandbox (one folder deeper).
export default mergeConfig(
  base,
  defineConfig({ test: { exclude: ['test/process.test.ts', 'test/replicas.test.ts', 'dashboard/**', '**/node_modules/**'] } }),
);
