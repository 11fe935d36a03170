/**
 * least_conn, as ngx_http_upstream_least_conn_module.c: the usable peer with the fewest
 * in-flight requests relative to its weight, compared by cross-multiplication
 * (`a.conns * b.weight < b.conns * a.weight`) so no division or rounding is involved.
 * When several peers tie, smooth WRR runs among the tied peers only (NGINX's `many`
 * branch), which shares current/effective weights with round robin.
 *
 * Weight here is the configured weight scaled by slow_start.
 */
import type { PeerEntry } from '../peer.js';
import { smoothPick } from './smooth.js';
import type { PickContext, Strategy, TierPicker } from './types.js';

/** Usable peers with the lowest `load / weight`, in tier order. */
export function leastLoaded(
  peers: readonly PeerEntry[],
  ctx: PickContext,
  load: (peer: PeerEntry) => number,
): PeerEntry[] {
  let best: PeerEntry[] = [];
  let bestLoad = 0;
  let bestWeight = 1;
  for (const peer of peers) {
    if (!ctx.usable(peer)) continue;
    const peerLoad = load(peer);
    const weight = peer.weightAt(ctx.now);
    if (best.length === 0) {
      best = [peer];
    } else {
      const lhs = peerLoad * bestWeight;
      const rhs = bestLoad * weight;
      if (lhs < rhs) best = [peer];
      else if (lhs === rhs) best.push(peer);
      else continue;
    }
    // Stryker disable next-line ConditionalExpression: on a tie the newcomer's load/weight equals the reference's, so re-basing on it compares the same ratio
    if (best.length === 1) {
      bestLoad = peerLoad;
      bestWeight = weight;
    }
  }
  return best;
}

/** Pick among tied peers with smooth WRR, as NGINX does (a lone winner is returned as is). */
export function breakTie(tied: PeerEntry[], now: number): PeerEntry | undefined {
  if (tied.length <= 1) return tied[0];
  return smoothPick(tied, () => true, now);
}

export function createLeastConn(): Strategy {
  return {
    name: 'least_conn',
    forTier(peers): TierPicker {
      return { pick: (ctx) => breakTie(leastLoaded(peers, ctx, (p) => p.inFlight), ctx.now) };
    },
  };
}
