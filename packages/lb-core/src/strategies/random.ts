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

/** One weighted draw among `peers` (all assumed usable), leaving out `except` if given. */
export function weightedDraw(
  peers: readonly PeerEntry[],
  now: number,
  random: RandomSource,
  except?: PeerEntry,
): PeerEntry | undefined {
  let total = 0;
  for (const peer of peers) if (peer !== except) total += peer.weightAt(now);
  let x = random() * total;
  let last: PeerEntry | undefined;
  for (const peer of peers) {
    if (peer === except) continue;
    last = peer;
    x -= peer.weightAt(now);
    if (x < 0) return peer;
  }
  return last;
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
