import http from 'node:http';
import type { Server } from 'node:net';
import type { BalancerConfig } from '@fleet/config';
import type { RandomSource } from '@fleet/lb-core';
import type { DestinationStream, Logger } from 'pino';
import { createAccessLog, type AccessLog } from './access-log.js';
import { createAdminHandler } from './admin.js';
import { MemoryBudget } from './limits/spool.js';
import { createMetrics, type Metrics } from './metrics.js';
import { listen, startListeners, type Listeners } from './server.js';
import { buildState, type RuntimeState } from './state.js';
import { createConnectionStats, type ConnectionStats } from './status.js';
import { defaultLookup, type Lookup } from './upstreams/discovery.js';
import { createUpstreams, type Upstreams } from './upstreams/manager.js';

/**
 * Composition root: builds the runtime state, upstream groups, listeners and the admin API.
 * `reload` swaps in a new config without touching listeners or open connections; `close`
 * drains: stop accepting, let in-flight requests finish up to a deadline, close pools.
 */
export interface BalancerDeps {
  logger: Logger;
  now?: () => number;
  lookup?: Lookup;
  random?: RandomSource;
  accessLogDestination?: DestinationStream;
}

export interface Balancer {
  readonly port: number;
  readonly adminPort: number;
  readonly httpsPort: number | undefined;
  readonly config: BalancerConfig;
  readonly upstreams: Upstreams;
  /** Apply a new, already validated config. Throws (keeping the old one) when it cannot be built. */
  reload(config: BalancerConfig): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

const RESTART_ONLY = ['listen', 'admin', 'https'] as const;

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function waitIdle(inFlight: () => number, deadline: number, now: () => number): Promise<void> {
  while (inFlight() > 0 && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20).unref());
  }
}

interface Parts {
  now: () => number;
  logger: Logger;
  metrics: Metrics;
  stats: ConnectionStats;
  accessLog: AccessLog;
  upstreams: Upstreams;
}

class BalancerRuntime implements Balancer {
  closing = false;
  listeners: Listeners | undefined;
  admin: http.Server | undefined;
  adminPort = 0;

  constructor(
    private state: RuntimeState,
    private readonly parts: Parts,
  ) {}

  get port(): number {
    return this.listeners?.port ?? 0;
  }
  get httpsPort(): number | undefined {
    return this.listeners?.httpsPort;
  }
  get config(): BalancerConfig {
    return this.state.config;
  }
  get upstreams(): Upstreams {
    return this.parts.upstreams;
  }

  async start(): Promise<void> {
    const { upstreams, stats, metrics, logger } = this.parts;
    const bodyMemory = new MemoryBudget();
    this.listeners = await startListeners(this.state.config, {
      ...this.parts,
      state: () => this.state,
      closing: () => this.closing,
      bodyMemory,
    });
    const status = {
      stats,
      snapshots: () => upstreams.snapshots(),
      health: (g: string) => upstreams.get(g)?.healthResults() ?? new Map(),
      routes: () => this.state.router.list(),
      retrying: (g: string) => upstreams.get(g)?.retryBudget.retrying ?? 0,
    };
    metrics.setSources({ snapshots: status.snapshots, activeConnections: () => stats.active, bodyMemoryBytes: () => bodyMemory.used });
    const token = (): string | undefined => this.state.config.admin.token;
    this.admin = http.createServer(createAdminHandler({ token, status, metrics, upstreams, router: () => this.state.router, logger }));
    this.admin.on('error', (err) => logger.error({ err }, 'admin listener error'));
    this.adminPort = await listen(this.admin, this.state.config.admin.host, this.state.config.admin.port);
  }

  async reload(next: BalancerConfig): Promise<void> {
    const built = buildState(next, this.parts.now);
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(next[key]) !== JSON.stringify(this.state.config[key])) {
        this.parts.logger.warn({ setting: key }, 'reload: this setting only changes on restart; keeping the running value');
      }
    }
    await this.parts.upstreams.apply(next);
    this.listeners?.applyTimeouts(next);
    this.state = built;
    this.parts.logger.info({ upstreams: Object.keys(next.upstreams), routes: next.routes.length }, 'config reloaded');
  }

  async close(timeoutMs = this.state.config.shutdown.timeoutMs): Promise<void> {
    this.closing = true;
    const l = this.listeners;
    const closed = (l?.servers ?? []).map(closeServer);
    for (const session of l?.sessions ?? []) session.close();
    await waitIdle(() => this.parts.stats.inFlight, this.parts.now() + timeoutMs, this.parts.now);
    for (const session of l?.sessions ?? []) session.destroy();
    for (const socket of l?.connections ?? []) socket.destroy();
    for (const socket of l?.sockets ?? []) socket.destroy();
    await Promise.all(closed);
    this.admin?.closeAllConnections();
    if (this.admin) await closeServer(this.admin);
    await this.parts.upstreams.close();
    await this.parts.accessLog.close();
  }
}

export async function startBalancer(initial: BalancerConfig, deps: BalancerDeps): Promise<Balancer> {
  const now = deps.now ?? (() => performance.now());
  const state = buildState(initial, now);
  const upstreams = await createUpstreams(initial, {
    now,
    lookup: deps.lookup ?? defaultLookup,
    random: deps.random ?? Math.random,
    logger: deps.logger,
    retryBudget: initial.retryBudget,
  });
  const parts: Parts = {
    now,
    logger: deps.logger,
    metrics: createMetrics(),
    stats: createConnectionStats(),
    accessLog: createAccessLog(initial.accessLog, deps.accessLogDestination),
    upstreams,
  };
  const balancer = new BalancerRuntime(state, parts);
  await balancer.start();
  return balancer;
}
