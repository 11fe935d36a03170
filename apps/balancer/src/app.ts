import http from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import type { BalancerConfig } from '@fleet/config';
import type { RandomSource } from '@fleet/lb-core';
import type { DestinationStream, Logger } from 'pino';
import { createAccessLog } from './access-log.js';
import { createAdminHandler } from './admin.js';
import { createMetrics } from './metrics.js';
import { startListeners, type Listeners } from './server.js';
import { buildState, type RuntimeState } from './state.js';
import { createConnectionStats } from './status.js';
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

function listenAdmin(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function waitIdle(inFlight: () => number, deadline: number, now: () => number): Promise<void> {
  while (inFlight() > 0 && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20).unref());
  }
}

export async function startBalancer(initial: BalancerConfig, deps: BalancerDeps): Promise<Balancer> {
  const now = deps.now ?? (() => performance.now());
  const logger = deps.logger;
  let state: RuntimeState = buildState(initial, now);
  const metrics = createMetrics();
  const stats = createConnectionStats();
  const accessLog = createAccessLog(initial.accessLog, deps.accessLogDestination);
  const upstreams = await createUpstreams(initial, {
    now,
    lookup: deps.lookup ?? defaultLookup,
    random: deps.random ?? Math.random,
    logger,
    retryBudget: initial.retryBudget,
  });
  let closing = false;
  let inFlight = 0;
  const ctx = {
    state: () => state,
    upstreams,
    stats: {
      ...stats,
      requestStarted: () => {
        inFlight += 1;
        stats.requestStarted();
      },
      requestFinished: () => {
        inFlight -= 1;
        stats.requestFinished();
      },
    },
    metrics,
    accessLog,
    logger,
    now,
    closing: () => closing,
  };
  const listeners: Listeners = await startListeners(initial, ctx);
  const statusSources = {
    stats,
    snapshots: () => upstreams.snapshots(),
    health: (g: string) => upstreams.get(g)?.healthResults() ?? new Map(),
    routes: () => state.router.list(),
    retrying: (g: string) => upstreams.get(g)?.retryBudget.retrying ?? 0,
  };
  metrics.setSources({ snapshots: statusSources.snapshots, activeConnections: () => stats.active });
  const admin = http.createServer(
    createAdminHandler({ token: () => state.config.admin.token, status: statusSources, metrics, upstreams, router: () => state.router, logger }),
  );
  const adminPort = await listenAdmin(admin, initial.admin.host, initial.admin.port);

  return {
    port: listeners.port,
    adminPort,
    httpsPort: listeners.httpsPort,
    get config() {
      return state.config;
    },
    upstreams,
    async reload(next) {
      const built = buildState(next, now);
      for (const key of RESTART_ONLY) {
        if (JSON.stringify(next[key]) !== JSON.stringify(state.config[key])) {
          logger.warn({ setting: key }, 'reload: this setting only changes on restart; keeping the running value');
        }
      }
      await upstreams.apply(next);
      listeners.applyTimeouts(next);
      state = built;
      logger.info({ upstreams: Object.keys(next.upstreams), routes: next.routes.length }, 'config reloaded');
    },
    async close(timeoutMs = state.config.shutdown.timeoutMs) {
      closing = true;
      const closed = listeners.servers.map(closeServer);
      for (const session of listeners.sessions) session.close();
      await waitIdle(() => inFlight, now() + timeoutMs, now);
      for (const session of listeners.sessions) session.destroy();
      for (const socket of listeners.connections) socket.destroy();
      for (const socket of listeners.sockets) socket.destroy();
      await Promise.all(closed);
      admin.closeAllConnections();
      await closeServer(admin);
      await upstreams.close();
      await accessLog.close();
    },
  };
}
