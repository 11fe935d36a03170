import { createGroup, type Group, type PeerConfig, type RandomSource } from '@fleet/lb-core';
import type { UpstreamGroupConfig } from '@fleet/config';
import type { Pool } from 'undici';
import { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from '../retry-budget.js';
import { createDiscovery, samePeers, type Discovery, type Lookup } from './discovery.js';
import { startHealthChecker, type HealthChecker, type ProbeResult } from './health-check.js';
import { createPeerPool, poolSettingsKey } from './pool.js';

/**
 * One upstream group at run time: the lb-core Group (selection + passive health), an undici
 * Pool per peer, DNS re-resolution and the active health checker. Peer-set changes go through
 * `group.setPeers`, so surviving peers keep their state and counters.
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

export interface Upstream {
  readonly name: string;
  readonly config: UpstreamGroupConfig;
  readonly group: Group;
  readonly retryBudget: RetryBudget;
  pool(peerId: string): Pool | undefined;
  healthResults(): ReadonlyMap<string, ProbeResult>;
  /** Re-resolve hostnames now; applies a changed set. */
  refresh(): Promise<void>;
  /** Apply a reloaded config for this group. */
  update(config: UpstreamGroupConfig, retryBudget: RetryBudgetOptions): Promise<void>;
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

export async function createUpstream(name: string, initial: UpstreamGroupConfig, deps: UpstreamDeps): Promise<Upstream> {
  let config = initial;
  let discovery: Discovery = createDiscovery(config.servers, deps.lookup, deps.logger);
  let peers = await discovery.resolve();
  let group = newGroup(name, config, peers, deps);
  let budget = createRetryBudget(deps.retryBudget);
  let pools = new Map<string, Pool>();
  let checker: HealthChecker | undefined;
  let resolveTimer: NodeJS.Timeout | undefined;

  const closePool = (id: string, pool: Pool): void => {
    pool.close().catch((err: unknown) => deps.logger.warn({ err, group: name, peer: id }, 'closing a peer pool failed'));
  };

  const syncPools = (): void => {
    const live = new Set(peers.map((p) => p.id));
    for (const [id, pool] of pools) {
      if (!live.has(id)) {
        pools.delete(id);
        closePool(id, pool);
      }
    }
    for (const p of peers) if (!pools.has(p.id)) pools.set(p.id, createPeerPool(p.address, config));
  };

  const startChecker = (): void => {
    if (!config.healthCheck.enabled) return;
    checker = startHealthChecker(config.healthCheck, {
      group: () => group,
      peers: () => peers,
      now: deps.now,
      logger: deps.logger,
    });
  };

  const applyPeers = (next: PeerConfig[]): void => {
    const before = new Set(peers.map((p) => p.id));
    const added = next.filter((p) => !before.has(p.id)).map((p) => p.id);
    const removed = peers.filter((p) => !next.some((n) => n.id === p.id)).map((p) => p.id);
    peers = next;
    group.setPeers(next, deps.now());
    syncPools();
    deps.logger.info({ group: name, added, removed, peers: next.length }, 'upstream peer set changed');
    if (added.length > 0) void checker?.checkNow(added);
  };

  const refresh = async (): Promise<void> => {
    const next = await discovery.resolve();
    if (!samePeers(peers, next)) applyPeers(next);
  };

  const scheduleResolve = (): void => {
    clearInterval(resolveTimer);
    resolveTimer = undefined;
    if (!discovery.dynamic) return;
    resolveTimer = setInterval(() => {
      refresh().catch((err: unknown) => deps.logger.error({ err, group: name }, 'DNS refresh failed'));
    }, config.resolve.intervalMs).unref();
  };

  syncPools();
  startChecker();
  scheduleResolve();

  return {
    name,
    get config() {
      return config;
    },
    get group() {
      return group;
    },
    get retryBudget() {
      return budget;
    },
    pool: (id) => pools.get(id),
    healthResults: () => checker?.results() ?? new Map(),
    refresh,
    async update(next, retryBudget) {
      const old = config;
      config = next;
      budget = createRetryBudget(retryBudget);
      discovery = createDiscovery(next.servers, deps.lookup, deps.logger);
      const resolved = await discovery.resolve();
      if (selectionKey(old) !== selectionKey(next)) {
        peers = resolved;
        group = newGroup(name, next, resolved, deps);
      } else {
        peers = resolved;
        group.setPeers(resolved, deps.now());
      }
      if (poolSettingsKey(old) !== poolSettingsKey(next)) {
        const oldPools = pools;
        pools = new Map();
        for (const [id, pool] of oldPools) closePool(id, pool);
      }
      syncPools();
      await checker?.stop();
      checker = undefined;
      startChecker();
      scheduleResolve();
    },
    async close() {
      clearInterval(resolveTimer);
      await checker?.stop();
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}
