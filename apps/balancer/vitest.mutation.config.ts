import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite Stryker runs per mutant: everything in-process. process.test.ts and
// replicas.test.ts start child processes, which would run the built dist/, not the mutant.
export default mergeConfig(base, defineConfig({ test: { exclude: ['test/process.test.ts', 'test/replicas.test.ts', '**/node_modules/**'] } }));
