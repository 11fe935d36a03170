/**
 * One dashboard frame from what the balancer already has: lb-core group snapshots, the
 * health checker's last probe per peer, the retry budget, stub_status counters, the rates
 * computed from the metrics, and the ring of latest picks. Pure.
 */
import type { GroupSnapshot, PeerSnapshot } from '@fleet/lb-core';
import type { StubStatus } from '../status.js';
import type { ProbeResult } from '../upstreams/health-check.js';
import type { Frame, LastCheck, PeerView } from './frame.js';
import type { Pick } from './recent-picks.js';
import type { PeerStats } from './window-stats.js';

export interface FrameInput {
  at: number;
  /** Monotonic now, on the clock of `ProbeResult.at`. */
  now: number;
  windowSeconds: number;
  stub: StubStatus;
  groups: readonly GroupSnapshot[];
  health(group: string): ReadonlyMap<string, ProbeResult>;
  retrying(group: string): number;
  stats(group: string, peer: string): PeerStats;
  serverId(group: string, peer: PeerSnapshot): string | null;
  picks: readonly Pick[];
  actions: boolean;
}

function lastCheck(probe: ProbeResult | undefined, now: number): LastCheck | null {
  if (probe === undefined) return null;
  const check: LastCheck = { ok: probe.ok, durationMs: probe.durationMs, agoMs: Math.max(0, now - probe.at) };
  if (probe.status !== undefined) check.status = probe.status;
  if (probe.error !== undefined) check.error = probe.error;
  return check;
}

function peerView(input: FrameInput, group: string, p: PeerSnapshot, probe: ProbeResult | undefined): PeerView {
  return {
    id: p.id,
    name: p.name,
    serverId: input.serverId(group, p),
    state: p.state,
    backup: p.backup,
    weight: p.weight,
    effectiveWeight: p.effectiveWeight,
    inFlight: p.inFlight,
    maxConns: p.maxConns,
    requests: p.requests,
    ...input.stats(group, p.id),
    ejections: p.ejections,
    totalFails: p.totalFails,
    health: p.health,
    lastCheck: lastCheck(probe, input.now),
  };
}

export function buildFrame(input: FrameInput): Frame {
  const ids = new Map<string, string | null>();
  const groups = input.groups.map((g) => {
    const health = input.health(g.name);
    const peers = g.peers.map((p) => peerView(input, g.name, p, health.get(p.id)));
    for (const p of peers) ids.set(`${g.name}/${p.id}`, p.serverId);
    return { name: g.name, strategy: g.strategy, retriesInFlight: input.retrying(g.name), peers };
  });
  const picks = input.picks.map((p) => ({ ...p, serverId: ids.get(`${p.group}/${p.peer}`) ?? null }));
  return { at: input.at, windowSeconds: input.windowSeconds, stub: { ...input.stub }, groups, picks, actions: input.actions };
}
