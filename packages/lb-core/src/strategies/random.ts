/**
 * random: a weighted random usable peer (NGINX `random` without `two`).
 *
 * Departure: NGINX draws over all peers and redraws up to 20 times when it hits an
 * unusable one, then falls back to round robin; here the draw is over the usable peers
 * only, which has the same distribution without the fallback.
 * Weights are the configured weights scaled by slow_start.
 */
import type { RandomSource } from '../types.js';
import type { PeerEntry } from '../peer.js';
import type { PickContext, Strategy } from './types.js';

/** One weighted draw among `peers` (all assumed usable). */
export function weightedDraw(
  peers: readonly PeerEntry[],
  now: number,
  random: RandomSource,
): PeerEntry | undefined {
  let total = 0;
  for (const peer of peers) total += peer.weightAt(now);
  let x = random() * total;
  for (const peer of peers) {
    x -= peer.weightAt(now);
    if (x < 0) return peer;
  }
  return peers[peers.length - 1];
}

export function usablePeers(peers: readonly PeerEntry[], ctx: PickContext): PeerEntry[] {
  return peers.filter((peer) => ctx.usable(peer));
}

export function createRandom(random: RandomSource): Strategy {
  return {
    name: 'random',
    forTier: (peers) => ({ pick: (ctx) => weightedDraw(usablePeers(peers, ctx), ctx.now, random) }),
  };
}
