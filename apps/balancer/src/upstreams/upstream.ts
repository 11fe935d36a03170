import { LatencyWindow, createGroup, type Group, type PeerConfig, type RandomSource } from '@fleet/lb-core';
import type { UpstreamGroupConfig } from '@fleet/config';
import { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from '../retry-budget.js';
import { createDiscovery, samePeers, type Discovery, type Lookup } from './discovery.js';
import { startHealthChecker, type HealthChecker, type ProbeResult } from './health-check.js';
import { createPeerPool, poolSettingsKey, type PeerConnections } from './pool.js';

/**
 * One upstream group's long-lived resources: the lb-core Group (selection + passive health,
 * per-peer state), a connection pool per peer id (the engine's or undici's, `pool.ts`), DNS re-resolution and the active health
 * checker. They outlive configuration snapshots: a reload hands in an already resolved peer
 * set (`prepareGroup`) and `apply` installs it synchronously, so the snapshot that refers to
 * them can be swapped in the same tick. Requests never read this object: they read the
 * frozen `GroupView` of the snapshot they started with (`view()`).
 */
export interface UpstreamLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface UpstreamDeps {
  now: () => number;
  lookup: Lookup;
  random: RandomSource;
  logger: UpstreamLogger;
  retryBudget: RetryBudgetOptions;
}

/** What one snapshot knows of a group: its config and the handles it was built with. Immutable. */
export interface GroupView {
  readonly name: string;
  readonly config: UpstreamGroupConfig;
  readonly group: Group;
  readonly retryBudget: RetryBudget;
  /** Recent times to response head of successful attempts (per-try timeouts); survives reloads. */
  readonly latency: LatencyWindow;
  /** The peer's connection pool, undefined once the peer left the group (reload, DNS). */
  pool(peerId: string): PeerConnections | undefined;
}

/** A group's next config with its peers already resolved (DNS done, nothing applied yet). */
export interface PreparedGroup {
  readonly config: UpstreamGroupConfig;
  readonly discovery: Discovery;
  readonly peers: PeerConfig[];
}

/** A group's long-lived resources; its `config` is the one applied last (a snapshot's view holds the one a request started with). */
export interface Upstream extends GroupView {
  healthResults(): ReadonlyMap<string, ProbeResult>;
  /** Re-resolve hostnames now; applies a changed set. */
  refresh(): Promise<void>;
  /** Install a prepared config (synchronous: no I/O is awaited). */
  apply(next: PreparedGroup, retryBudget: RetryBudgetOptions): void;
  /** A frozen view for a snapshot. */
  view(): GroupView;
  close(): Promise<void>;
}

function newGroup(name: string, cfg: UpstreamGroupConfig, peers: readonly PeerConfig[], deps: UpstreamDeps): Group {
  return createGroup({
    name,
    strategy: { name: cfg.strategy, consistent: cfg.consistent, decayMs: cfg.leastTimeDecayMs },
    peers,
    random: deps.random,
    activeHealth: { enabled: cfg.healthCheck.enabled, passes: cfg.healthCheck.passes, fails: cfg.healthCheck.fails },
    now: deps.now(),
  });
}

function selectionKey(cfg: UpstreamGroupConfig): string {
  return JSON.stringify([cfg.strategy, cfg.consistent, cfg.leastTimeDecayMs, cfg.healthCheck.enabled]);
}

/**
 * Resolve a group's servers for a config that is about to be applied, and check that lb-core
 * accepts them (it throws on an invalid set), so that applying it later cannot fail half-way.
 * Touches no running state.
 */
export async function prepareGroup(config: UpstreamGroupConfig, deps: UpstreamDeps): Promise<PreparedGroup> {
  const discovery = createDiscovery(config.servers, deps.lookup, deps.logger);
  const peers = await discovery.resolve();
  newGroup('prepare', config, peers, deps);
  return { config, discovery, peers };
}

class UpstreamRuntime implements Upstream {
  config: UpstreamGroupConfig;
  group: Group;
  readonly retryBudget: RetryBudget;
  readonly latency = new LatencyWindow(512);
  private discovery: Discovery;
  private peers: PeerConfig[];
  private pools = new Map<string, PeerConnections>();
  private checker: HealthChecker | undefined;
  private resolveTimer: NodeJS.Timeout | undefined;
  private readonly poolOf = (peerId: string): PeerConnections | undefined => this.pools.get(peerId);

  constructor(
    readonly name: string,
    prepared: PreparedGroup,
    private readonly deps: UpstreamDeps,
  ) {
    this.config = prepared.config;
    this.discovery = prepared.discovery;
    this.peers = prepared.peers;
    this.group = newGroup(name, this.config, this.peers, deps);
    this.retryBudget = createRetryBudget(deps.retryBudget);
    this.syncPools();
    this.startChecker();
    this.scheduleResolve();
  }

  pool(peerId: string): PeerConnections | undefined {
    return this.pools.get(peerId);
  }

  view(): GroupView {
    const { name, config, group, retryBudget, latency, poolOf } = this;
    return Object.freeze({ name, config, group, retryBudget, latency, pool: poolOf });
  }

  healthResults(): ReadonlyMap<string, ProbeResult> {
    return this.checker?.results() ?? new Map();
  }

  async refresh(): Promise<void> {
    const next = await this.discovery.resolve();
    if (!samePeers(this.peers, next)) this.applyPeers(next);
  }

  apply(prepared: PreparedGroup, retryBudget: RetryBudgetOptions): void {
    const old = this.config;
    const next = prepared.config;
    this.config = next;
    // Same budget object: requests in flight started on it and must finish on it.
    this.retryBudget.reconfigure(retryBudget);
    this.discovery = prepared.discovery;
    this.peers = prepared.peers;
    if (selectionKey(old) !== selectionKey(next)) this.group = newGroup(this.name, next, this.peers, this.deps);
    else this.group.setPeers(this.peers, this.deps.now());
    if (poolSettingsKey(old) !== poolSettingsKey(next)) {
      for (const [id, pool] of this.pools) this.closePool(id, pool);
      this.pools = new Map();
    }
    this.syncPools();
    this.stopChecker();
    this.startChecker();
    this.scheduleResolve();
  }

  async close(): Promise<void> {
    clearInterval(this.resolveTimer);
    await this.checker?.stop();
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }

  private stopChecker(): void {
    const old = this.checker;
    this.checker = undefined;
    old?.stop().catch((err: unknown) => this.deps.logger.warn({ err, group: this.name }, 'stopping a health checker failed'));
  }

  private applyPeers(next: PeerConfig[]): void {
    const before = new Set(this.peers.map((p) => p.id));
    const after = new Set(next.map((p) => p.id));
    const added = next.filter((p) => !before.has(p.id)).map((p) => p.id);
    const removed = this.peers.filter((p) => !after.has(p.id)).map((p) => p.id);
    this.peers = next;
    this.group.setPeers(next, this.deps.now());
    this.syncPools();
    this.deps.logger.info({ group: this.name, added, removed, peers: next.length }, 'upstream peer set changed');
    if (added.length > 0) void this.checker?.checkNow(added);
  }

  private closePool(id: string, pool: PeerConnections): void {
    pool.close().catch((err: unknown) => this.deps.logger.warn({ err, group: this.name, peer: id }, 'closing a peer pool failed'));
  }

  private syncPools(): void {
    const live = new Set(this.peers.map((p) => p.id));
    for (const [id, pool] of this.pools) {
      if (live.has(id)) continue;
      this.pools.delete(id);
      this.closePool(id, pool);
    }
    for (const p of this.peers) if (!this.pools.has(p.id)) this.pools.set(p.id, createPeerPool(p.address, this.config));
  }

  private startChecker(): void {
    if (!this.config.healthCheck.enabled) return;
    this.checker = startHealthChecker(this.config.healthCheck, {
      group: () => this.group,
      peers: () => this.peers,
      now: this.deps.now,
      logger: this.deps.logger,
    });
  }

  private scheduleResolve(): void {
    clearInterval(this.resolveTimer);
    this.resolveTimer = undefined;
    if (!this.discovery.dynamic) return;
    this.resolveTimer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.deps.logger.error({ err, group: this.name }, 'DNS refresh failed'));
    }, this.config.resolve.intervalMs).unref();
  }
}

export function createUpstream(name: string, prepared: PreparedGroup, deps: UpstreamDeps): Upstream {
  return new UpstreamRuntime(name, prepared, deps);
}
