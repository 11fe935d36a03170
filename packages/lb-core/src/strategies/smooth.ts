/**
 * NGINX smooth weighted round robin (`ngx_http_upstream_get_peer`), shared by
 * round_robin, least_conn's tie-break, consistent hash and the hash fallbacks.
 *
 * For each usable peer, in order: `current_weight += effective_weight`, add it to
 * `total`, raise `effective_weight` by one if below `weight`; the peer with the largest
 * `current_weight` (first one on ties) wins and gives back `total`. Weights {5,1,1}
 * give a a b a c a a.
 *
 * slow_start scales the increment (PeerEntry.wrrWeightAt); with no ramp running the
 * arithmetic is NGINX's integer arithmetic exactly.
 */
import type { PeerEntry } from '../peer.js';

export function smoothPick(
  peers: Iterable<PeerEntry>,
  usable: (peer: PeerEntry) => boolean,
  now: number,
): PeerEntry | undefined {
  let best: PeerEntry | undefined;
  let total = 0;
  for (const peer of peers) {
    if (!usable(peer)) continue;
    const increment = peer.wrrWeightAt(now);
    peer.currentWeight += increment;
    total += increment;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: at effective_weight == weight the body sets min(weight + 1, weight) = weight, a no-op
    if (peer.effectiveWeight < peer.config.weight) {
      peer.effectiveWeight = Math.min(peer.effectiveWeight + 1, peer.config.weight);
    }
    if (best === undefined || peer.currentWeight > best.currentWeight) best = peer;
  }
  if (best !== undefined) best.currentWeight -= total;
  return best;
}
