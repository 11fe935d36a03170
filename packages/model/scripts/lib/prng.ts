/**
 * Deterministic PRNG for training: mulberry32 (32-bit state, period 2^32). Same seed →
 * same stream on every platform, since it uses only 32-bit integer ops.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
}

export function mulberry32(seed: number): Prng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** In-place Fisher–Yates shuffle driven by `rng`. */
export function shuffle<T>(items: T[], rng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
