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
import { buildSnapshotParts, SnapshotCell } from './snapshot.js';
import { createIdSource } from './trace/ids.js';
import { createConnectionStats, type ConnectionStats, type StatusSources } from './status.js';
import { defaultLookup, type Lookup } from './upstreams/discovery.js';
import { createUpstreams, type Upstreams } from './upstreams/manager.js';
import type { Upstream } from './upstreams/upstream.js';

/**
 * Composition root: builds the first snapshot, the upstream registry, listeners and the admin
 * API. `reload` builds the next snapshot completely (DNS included), then installs it in one
 * synchronous step, without touching listeners or open connections; reloads run one at a
 * time. `close` drains: stop accepting, let in-flight requests finish up to a deadline, close
 * pools.
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
  private reloading: Promise<void> = Promise.resolve();
  /** Groups a reload removed, closed once no request holds a snapshot that has them. */
  private readonly retired = new Set<Upstream>();
  listeners: Listeners | undefined;
  admin: http.Server | undefined;
  adminPort = 0;
  dashboard: Dashboard | undefined;

  constructor(
    private readonly cell: SnapshotCell,
    private readonly parts: Parts,
  ) {}

  get port(): number {
    return this.listeners?.port ?? 0;
  }
  get httpsPort(): number | undefined {
    return this.listeners?.httpsPort;
  }
  get config(): BalancerConfig {
    return this.cell.get().config;
  }
  get upstreams(): Upstreams {
    return this.parts.upstreams;
  }

  async start(): Promise<void> {
    const { upstreams, stats, metrics, logger } = this.parts;
    const config = this.cell.get().config;
    const bodyMemory = new MemoryBudget();
    this.listeners = await startListeners(config, {
      ...this.parts,
      snapshots: this.cell,
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
      routes: () => this.cell.get().router.list(),
      retrying: (g: string) => upstreams.get(g)?.retryBudget.retrying ?? 0,
    };
    metrics.setSources({ snapshots: status.snapshots, activeConnections: () => stats.active, bodyMemoryBytes: () => bodyMemory.used });
    const token = (): string | undefined => this.cell.get().config.admin.token;
    const dashboard = this.createDashboard(status, token);
    this.dashboard = dashboard;
    this.admin = http.createServer(createAdminHandler({ token, status, metrics, upstreams, switchRoute: (p, u) => this.switchRoute(p, u), logger, dashboard }));
    this.admin.on('error', (err) => logger.error({ err }, 'admin listener error'));
    this.adminPort = await listen(this.admin, config.admin.host, config.admin.port).catch(async (err: unknown) => {
      await this.close(0); // the client listeners are up already: leave nothing bound behind
      throw explainListenError(err, 'admin', config);
    });
  }

  private createDashboard(status: StatusSources, token: () => string | undefined): Dashboard {
    const { metrics, logger, now } = this.parts;
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
      probePath: (group) => this.cell.get().groups.get(group)?.config.healthCheck.path ?? '/health',
      now,
      logger,
    });
  }

  private switchRoute(prefix: string, upstream: string): boolean {
    const current = this.cell.get();
    const router = current.router.withRoute(prefix, upstream);
    if (router === undefined) return false;
    this.cell.swap({ ...current, router });
    return true;
  }

  reload(next: BalancerConfig): Promise<void> {
    const run = this.reloading.catch(() => undefined).then(() => this.applyConfig(next));
    this.reloading = run;
    return run;
  }

  private async applyConfig(next: BalancerConfig): Promise<void> {
    const { now, logger, upstreams } = this.parts;
    const parts = buildSnapshotParts(next, now);
    const running = this.cell.get().config;
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(next[key]) !== JSON.stringify(running[key])) {
        logger.warn({ setting: key }, 'reload: this setting only changes on restart; keeping the running value');
      }
    }
    const prepared = await upstreams.prepare(next);
    if (this.closing) return;
    // From here on synchronous: no request can run between the registry update and the swap.
    const { views, removed } = upstreams.commit(prepared);
    this.listeners?.applyTimeouts(next);
    for (const u of removed) this.retired.add(u);
    this.cell.swap({ ...parts, groups: views }, () => this.closeRetired(removed));
    logger.info({ upstreams: Object.keys(next.upstreams), routes: next.routes.length }, 'config reloaded');
  }

  private closeRetired(groups: readonly Upstream[]): void {
    for (const u of groups) {
      if (!this.retired.delete(u)) continue;
      u.close().catch((err: unknown) => this.parts.logger.warn({ err, group: u.name }, 'closing a removed upstream group failed'));
    }
  }

  async close(timeoutMs = this.cell.get().config.shutdown.timeoutMs): Promise<void> {
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
    await this.reloading.catch(() => undefined);
    await Promise.all([...this.retired].map((u) => u.close()));
    this.retired.clear();
    await this.parts.upstreams.close();
    await this.parts.accessLog.close();
  }
}

export async function startBalancer(initial: BalancerConfig, deps: BalancerDeps): Promise<Balancer> {
  const now = deps.now ?? (() => performance.now());
  const parts0 = buildSnapshotParts(initial, now);
  const upstreams = createUpstreams({
    now,
    lookup: deps.lookup ?? defaultLookup,
    random: deps.random ?? Math.random,
    logger: deps.logger,
    retryBudget: initial.retryBudget,
  });
  const { views } = upstreams.commit(await upstreams.prepare(initial));
  const cell = new SnapshotCell({ ...parts0, groups: views });
  const parts: Parts = {
    now,
    logger: deps.logger,
    metrics: createMetrics(),
    stats: createConnectionStats(),
    accessLog: createAccessLog(initial.accessLog, deps.accessLogDestination),
    upstreams,
  };
  const balancer = new BalancerRuntime(cell, parts);
  await balancer.start();
  return balancer;
}
