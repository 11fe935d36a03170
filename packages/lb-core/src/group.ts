/**
 * An upstream group: the current peer-set snapshot, one strategy, and the feedback
 * entry points (acquire/release, report, active health, drain). Pure: time comes in as
 * `now`, randomness as `options.random`.
 *
 * Caller pattern (the balancer's retry walk; `clock` times the retries' picks):
 *   for (const pick of group.candidates({ now: clock(), clientIp, hashKey }, tries, clock)) {
 *     if (!pick.ok) → answer 502 with pick.code (or the last attempt's error)
 *     group.acquire(id); …forward…; group.report(id, { ok, now, latencyMs }); group.release(id)
 *     if (ok) break
 *   }
 */
import { validateOptions, validatePeers } from './errors.js';
import { DEFAULT_DECAY_MS, PeerEntry } from './peer.js';
import { buildPeerSet, type PeerSet } from './peer-set.js';
import { Selection, type SelectionEnv } from './selection.js';
import { peerSnapshot } from './status.js';
import { createStrategy, type Strategy } from './strategies/index.js';
import type {
  ActiveHealthOptions,
  Group,
  GroupOptions,
  GroupSnapshot,
  Outcome,
  PeerConfig,
  SelectContext,
  SelectResult,
  StrategyName,
} from './types.js';

class UpstreamGroup implements Group {
  readonly name: string;
  readonly strategy: StrategyName;
  private readonly impl: Strategy;
  private readonly activeHealth: ActiveHealthOptions;
  private readonly decayMs: number;
  private readonly env: SelectionEnv;
  private set: PeerSet;
  /** Removed peers with requests still in flight, revived if they come back. */
  private readonly retired = new Map<string, PeerEntry>();

  constructor(options: GroupOptions) {
    validateOptions(options);
    this.name = options.name;
    this.strategy = options.strategy.name;
    this.impl = createStrategy(options.strategy, options.random);
    this.activeHealth = options.activeHealth ?? { enabled: false, passes: 1, fails: 1 };
    this.decayMs = options.strategy.decayMs ?? DEFAULT_DECAY_MS;
    this.env = Object.freeze({ groupName: this.name, activeHealth: this.activeHealth.enabled });
    const entries = options.peers.map((config) => new PeerEntry(config, options.now, this.decayMs));
    this.set = buildPeerSet(entries, this.impl);
  }

  select(ctx: SelectContext): SelectResult {
    return new Selection(ctx, ctx.tried, this.env, this.set).pick(this.set);
  }

  *candidates(ctx: SelectContext, maxTries: number, now?: () => number): Generator<SelectResult, void, void> {
    const tried = new Set(ctx.tried);
    const selection = new Selection(ctx, tried, this.env, this.set);
    const cap = maxTries > 0 ? maxTries : Math.max(1, this.set.all.length);
    for (let attempt = 0; attempt < cap; attempt++) {
      if (attempt > 0 && now) selection.now = now();
      // Read the snapshot per pick: a concurrent setPeers swaps `this.set`, never mutates it.
      const result = selection.pick(this.set);
      if (result.ok) tried.add(result.peer.id);
      yield result;
      if (!result.ok) return;
    }
  }

  private entry(peerId: string): PeerEntry | undefined {
    return this.set.byId.get(peerId) ?? this.retired.get(peerId);
  }

  acquire(peerId: string): void {
    const peer = this.entry(peerId);
    if (peer) peer.inFlight++;
  }

  release(peerId: string): void {
    const peer = this.entry(peerId);
    if (!peer) return;
    if (peer.inFlight > 0) peer.inFlight--;
    if (peer.inFlight === 0) this.retired.delete(peerId);
  }

  report(peerId: string, outcome: Outcome): void {
    const peer = this.entry(peerId);
    if (!peer) return;
    const { now, latencyMs } = outcome;
    if (outcome.ok) {
      peer.onSuccess(now);
      if (latencyMs !== undefined) peer.latency.observe(latencyMs, now);
    } else {
      const single = this.set.single && this.set.byId.get(peerId) === peer;
      peer.onFailure(now, single);
      if (latencyMs !== undefined) peer.latency.observePeak(latencyMs, now);
    }
  }

  observeHealthCheck(peerId: string, ok: boolean, now: number): boolean {
    const peer = this.set.byId.get(peerId);
    if (!peer) return false;
    const flipped = peer.health.observe(ok, now, this.activeHealth);
    if (flipped && peer.health.status === 'healthy') peer.startSlowStart(now);
    return flipped;
  }

  setDrain(peerId: string, drained: boolean): boolean {
    const peer = this.set.byId.get(peerId);
    if (!peer) return false;
    peer.drained = drained;
    return true;
  }

  setPeers(peers: readonly PeerConfig[], now: number): void {
    validatePeers(peers);
    const previous = this.set;
    const entries = peers.map((config) => {
      const kept = previous.byId.get(config.id) ?? this.retired.get(config.id);
      if (kept) {
        this.retired.delete(config.id);
        kept.reconfigure(config, now);
        return kept;
      }
      const fresh = new PeerEntry(config, now, this.decayMs);
      fresh.startSlowStart(now);
      return fresh;
    });
    const next = buildPeerSet(entries, this.impl);
    for (const old of previous.all) {
      if (!next.byId.has(old.id) && old.inFlight > 0) this.retired.set(old.id, old);
    }
    this.set = next;
  }

  snapshot(now: number): GroupSnapshot {
    const { all, single } = this.set;
    return {
      name: this.name,
      strategy: this.strategy,
      peers: all.map((peer) => peerSnapshot(peer, now, single, this.activeHealth.enabled)),
    };
  }
}

export function createGroup(options: GroupOptions): Group {
  return new UpstreamGroup(options);
}
