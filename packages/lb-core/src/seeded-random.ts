import type { RandomSource } from './types.js';

/**
 * Deterministic PRNG (mulberry32, 32-bit state) for tests and benchmarks. Uniform in
 * [0, 1). Not for anything security related. The same seed always yields the same
 * sequence, so distribution tests are reproducible.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
