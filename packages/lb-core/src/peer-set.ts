/**
 * An immutable snapshot of the peer set (pingora's selector-per-backend-set): the
 * entries in configured order split into tiers, each with the picker the strategy
 * built for it. `setPeers` builds a new one and swaps the reference; nothing is spliced
 * in place, so a selection that already holds a snapshot finishes on it undisturbed.
 * Entries (the mutable per-peer state) are shared between snapshots by id.
 */
import type { PeerEntry } from './peer.js';
import type { Strategy, TierPicker } from './strategies/index.js';

export interface Tier {
  readonly peers: readonly PeerEntry[];
  readonly picker: TierPicker;
}

export interface PeerSet {
  readonly all: readonly PeerEntry[];
  readonly byId: ReadonlyMap<string, PeerEntry>;
  readonly primary: Tier;
  readonly backup: Tier;
  /** One primary and no backup: NGINX `peers->single`, passive health does not apply. */
  readonly single: boolean;
}

function tier(peers: PeerEntry[], strategy: Strategy): Tier {
  const frozen = Object.freeze(peers);
  return Object.freeze({ peers: frozen, picker: strategy.forTier(frozen) });
}

export function buildPeerSet(entries: readonly PeerEntry[], strategy: Strategy): PeerSet {
  const all = Object.freeze([...entries]);
  const primary = tier(
    all.filter((p) => !p.config.backup),
    strategy,
  );
  const backup = tier(
    all.filter((p) => p.config.backup),
    strategy,
  );
  return Object.freeze({
    all,
    byId: new Map(all.map((p) => [p.id, p])),
    primary,
    backup,
    single: primary.peers.length === 1 && backup.peers.length === 0,
  });
}
