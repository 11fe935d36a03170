/**
 * random_two: power of two choices (NGINX `random two least_conn`; tower's `p2c`).
 * Two distinct usable peers are drawn at random by weight and the one with fewer
 * in-flight requests per unit of weight wins (cross-multiplied); on a tie the first
 * draw wins. With one usable peer that peer is returned.
 *
 * Measuring load (in-flight count) is kept apart from choosing: `chooseOfTwo` only
 * compares two loads, as tower's P2C does.
 */
import type { RandomSource } from '../types.js';
import type { PeerEntry } from '../peer.js';
import { usablePeers, weightedDraw } from './random.js';
import type { Strategy } from './types.js';

export function chooseOfTwo(a: PeerEntry, b: PeerEntry, now: number): PeerEntry {
  return b.inFlight * a.weightAt(now) < a.inFlight * b.weightAt(now) ? b : a;
}

export function createRandomTwo(random: RandomSource): Strategy {
  return {
    name: 'random_two',
    forTier: (peers) => ({
      pick(ctx) {
        const usable = usablePeers(peers, ctx);
        const first = weightedDraw(usable, ctx.now, random);
        if (!first || usable.length === 1) return first;
        const second = weightedDraw(usable, ctx.now, random, first) as PeerEntry;
        return chooseOfTwo(first, second, ctx.now);
      },
    }),
  };
}
