/**
 * least_time: lowest Peak-EWMA latency × (in-flight + 1) / weight — Finagle's
 * `PeakEwma` balancer cost, as tower's `PeakEwma` load (`(pending + 1) * rtt`), divided
 * by the (slow_start scaled) weight. The estimate itself is in ../ewma.ts: peaks count
 * at once, idle estimates decay toward zero with time constant `decayMs`, so a slow
 * peer that stops being picked is re-probed once its decayed estimate undercuts the
 * others. No 5-second cap or averaging window (NGINX Plus `least_time header`).
 *
 * Peers with no sample yet are probed first: while such a peer has nothing in flight
 * its score is 0. With requests already in flight it borrows the lowest measured
 * estimate of the tier (or 1 ms when none is measured), so a burst does not all land
 * on an unmeasured peer. Ties are broken by smooth WRR, as least_conn does.
 */
import type { PeerEntry } from '../peer.js';
import { breakTie, leastLoaded } from './least-conn.js';
import type { PickContext, Strategy, TierPicker } from './types.js';

export const UNMEASURED_FALLBACK_MS = 1;

function lowestEstimate(peers: readonly PeerEntry[], now: number): number {
  let lowest: number | undefined;
  for (const peer of peers) {
    const estimate = peer.latency.estimate(now);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: without the `!== undefined` guard an unmeasured peer assigns undefined only over undefined (`undefined < x` is false); `<=` only re-assigns an equal value
    if (estimate !== undefined && (lowest === undefined || estimate < lowest)) lowest = estimate;
  }
  return lowest ?? UNMEASURED_FALLBACK_MS;
}

/** Latency × (in-flight + 1), before dividing by weight (leastLoaded cross-multiplies it). */
export function leastTimeLoad(peer: PeerEntry, ctx: PickContext, fallbackMs: () => number): number {
  const estimate = peer.latency.estimate(ctx.now);
  if (estimate === undefined) return peer.inFlight === 0 ? 0 : fallbackMs() * (peer.inFlight + 1);
  return estimate * (peer.inFlight + 1);
}

export function createLeastTime(): Strategy {
  return {
    name: 'least_time',
    forTier(peers): TierPicker {
      return {
        pick(ctx) {
          let fallback: number | undefined;
          const fallbackMs = (): number => (fallback ??= lowestEstimate(peers, ctx.now));
          const tied = leastLoaded(peers, ctx, (p) => leastTimeLoad(p, ctx, fallbackMs));
          return breakTie(tied, ctx.now);
        },
      };
    },
  };
}
