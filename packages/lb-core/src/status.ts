/** Read-only views of peers for /status and metrics. */
import type { PeerEntry } from './peer.js';
import type { PeerState, PeerSnapshot } from './types.js';

export function peerState(peer: PeerEntry, now: number, single: boolean, activeHealth: boolean): PeerState {
  if (peer.config.down) return 'down';
  if (peer.drained) return 'draining';
  if (activeHealth && peer.health.status === 'unchecked') return 'unchecked';
  if (activeHealth && peer.health.status === 'unhealthy') return 'unhealthy';
  if (!single && peer.isFailed(now)) return 'failed';
  return 'up';
}

export function peerSnapshot(peer: PeerEntry, now: number, single: boolean, activeHealth: boolean): PeerSnapshot {
  const { id, address, name, backup, weight, maxConns } = peer.config;
  const snap: PeerSnapshot = {
    id,
    address,
    name,
    backup,
    state: peerState(peer, now, single, activeHealth),
    weight,
    effectiveWeight: peer.effectiveWeight,
    inFlight: peer.inFlight,
    maxConns,
    requests: peer.requests,
    fails: peer.fails,
    totalFails: peer.totalFails,
    ejections: peer.ejections,
    health: peer.health.snapshot(),
    slowStartFactor: peer.rampFactor(now),
  };
  if (peer.latency.last !== undefined) snap.lastLatencyMs = peer.latency.last;
  const ewma = peer.latency.estimate(now);
  if (ewma !== undefined) snap.ewmaLatencyMs = ewma;
  return snap;
}
