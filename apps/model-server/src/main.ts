#!/usr/bin/env node
/**
 * The replica's entry point (`node dist/main.js`): turns on Node's on-disk compile cache where
 * the runtime has it, then loads the process itself (replica.ts). V8 then reads the code it
 * compiled for the ~400 modules of a start from the cache instead of compiling them again (Node
 * ≥ 22.1, `module.enableCompileCache()`; the directory is `NODE_COMPILE_CACHE` or
 * `<tmpdir>/node-compile-cache`; on Node 20 the call does not exist and nothing changes). It must
 * run before those modules are compiled, so this file imports nothing else statically.
 */
import module from 'node:module';

type WithCompileCache = { enableCompileCache?: () => unknown };
(module as unknown as WithCompileCache).enableCompileCache?.();
await import('./replica.js');
