import http from 'node:http';
import type { Server } from 'node:net';
import type { BalancerConfig } from '@fleet/config';
import type { RandomSource } from '@fleet/lb-core';
import type { DestinationStream, Logger } from 'pino';
import { createAccessLog, type AccessLog } from './access-log.js';
import { createAdminHandler } from './admin.js';
import { createDashboard, readPeerTotals, type Dashboard } from './admin/index.js';
import { MemoryBudget } from './limits/spool.js';
import { createMetrics, type Metrics } from './metrics.js';
import { explainListenError } from './listen-errors.js';
import { listen, startListeners, type Listeners } from './server.js';
import { buildState, type RuntimeState } from './state.js';
import { createIdSource } from './trace/ids.js';
import { createConnectionStats, type ConnectionStats, type StatusSources } from './status.js';
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
  dashboard: Dashboard | undefined;

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
    const config = this.state.config;
    const bodyMemory = new MemoryBudget();
    this.listeners = await startListeners(config, {
      ...this.parts,
      state: () => this.state,
      closing: () => this.closing,
      bodyMemory,
      ids: createIdSource(),
    }).catch((err: unknown) => {
      throw explainListenError(err, 'listen', config);
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
    const dashboard = this.createDashboard(status, token);
    this.dashboard = dashboard;
    this.admin = http.createServer(createAdminHandler({ token, status, metrics, upstreams, router: () => this.state.router, logger, dashboard }));
    this.admin.on('error', (err) => logger.error({ err }, 'admin listener error'));
    this.adminPort = await listen(this.admin, config.admin.host, config.admin.port).catch(async (err: unknown) => {
      await this.close(0); // the client listeners are up already: leave nothing bound behind
      throw explainListenError(err, 'admin', config);
    });
  }

  private createDashboard(status: StatusSources, token: () => string | undefined): Dashboard {
    const { metrics, upstreams, logger, now } = this.parts;
    return createDashboard({
      sources: {
        snapshots: status.snapshots,
        health: status.health,
        retrying: status.retrying,
        stub: () => status.stats.stub(),
        totals: () => readPeerTotals(metrics.registry),
        picks: metrics.picks,
        actions: () => (token() ?? '') !== '',
      },
      probePath: (group) => upstreams.get(group)?.config.healthCheck.path ?? '/health',
      now,
      logger,
    });
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
    this.dashboard?.close();
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
