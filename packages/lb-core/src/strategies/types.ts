/**
 * Internal strategy contract. A strategy is built once per group; for every immutable
 * peer-set snapshot it builds one picker per tier (primary, backup), so precomputed
 * data such as the ketama ring is tied to the snapshot it was built from.
 */
import type { PeerEntry } from '../peer.js';
import type { StrategyName } from '../types.js';

export interface PickContext {
  now: number;
  clientIp?: string | undefined;
  hashKey?: string | undefined;
  /** The group's verdict: not down, drained, unhealthy, failed, tried or at max_conns. */
  usable(peer: PeerEntry): boolean;
}

/**
 * Scratch state of one retry walk (one request). NGINX keeps e.g. ip_hash's running
 * hash and try counter in the per-request peer data; `slot` gives each picker its own.
 */
export interface Walk {
  slot<T>(owner: object, init: () => T): T;
}

export interface TierPicker {
  /** A usable peer of this tier, or undefined when none is. Must not return an unusable peer. */
  pick(ctx: PickContext, walk: Walk): PeerEntry | undefined;
}

export interface Strategy {
  readonly name: StrategyName;
  forTier(peers: readonly PeerEntry[]): TierPicker;
}
