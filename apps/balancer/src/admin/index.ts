/**
 * The live dashboard on the admin listener: `GET /` (the page), `GET /dashboard/app.js|.css`
 * (its bundle), `GET /dashboard/events` (SSE). Reading is open on the admin address like
 * /status; the page's drain/undrain buttons call the token-protected admin actions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAssets, isAsset } from './assets.js';
import { streamEvents } from './events.js';
import { fetchServerId, PeerIdentity, type IdentityFetch } from './identity.js';
import { Sampler, type DashboardSources } from './sampler.js';

export { RecentPicks } from './recent-picks.js';
export { readPeerTotals } from './peer-totals.js';
export type { DashboardSources } from './sampler.js';

export interface DashboardLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DashboardDeps {
  sources: Omit<DashboardSources, 'serverId'>;
  /** Health-check path per group (where a peer is asked for its server id). */
  probePath(group: string): string;
  now: () => number;
  wallNow?: () => number;
  logger: DashboardLogger;
  assetDir?: string;
  identityFetch?: IdentityFetch;
  intervalMs?: number;
  maxWatchers?: number;
}

export interface Dashboard {
  /** Answers the dashboard's paths; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  readonly sampler: Sampler;
  close(): void;
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const identity = new PeerIdentity({ fetch: deps.identityFetch ?? fetchServerId, now: deps.now, logger: deps.logger });
  let watched = (): boolean => false;
  const sources: DashboardSources = {
    ...deps.sources,
    snapshots() {
      const groups = deps.sources.snapshots();
      identity.retain(new Set(groups.flatMap((g) => g.peers.map((p) => p.id))));
      return groups;
    },
    // Peers are asked only while a page is open: an unwatched balancer sends them nothing extra.
    serverId: (group, peer) => (watched() ? identity.get(peer.id, peer.address, deps.probePath(group)) : identity.peek(peer.id)),
  };
  const sampler = new Sampler(sources, {
    now: deps.now,
    wallNow: deps.wallNow ?? Date.now,
    ...(deps.intervalMs === undefined ? {} : { intervalMs: deps.intervalMs }),
    onError: (err) => deps.logger.warn({ code: 'DASHBOARD_SAMPLE_FAILED', err }, 'dashboard: sampling failed'),
  });
  watched = () => sampler.watchers > 0;
  sampler.start();
  const serveAsset = createAssets(deps.assetDir);
  return {
    sampler,
    handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (isAsset(path)) serveAsset(req, res, path);
      else if (path === '/dashboard/events') streamEvents(sampler, req, res, deps.maxWatchers ?? 16);
      else return false;
      return true;
    },
    close: () => sampler.close(),
  };
}
