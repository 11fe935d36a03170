import type { Server, Socket } from 'node:net';
import type { GroupSnapshot } from '@fleet/lb-core';
import type { ProbeResult } from './upstreams/health-check.js';

/**
 * NGINX stub_status counters plus per-peer JSON. `active` are open client connections,
 * `accepts`/`handled` total connections (handled = accepts: nothing is dropped for lack of
 * resources), `requests` total requests, `reading` requests whose body is being read,
 * `writing` requests being proxied or answered, `waiting` = active − reading − writing (idle
 * keep-alive connections).
 */
export interface ConnectionStats {
  track(server: Server): void;
  requestStarted(): void;
  readingStarted(): void;
  readingFinished(): void;
  requestFinished(): void;
  readonly active: number;
  /** Requests started and not finished. */
  readonly inFlight: number;
  stub(): StubStatus;
}

export interface StubStatus {
  active: number;
  accepts: number;
  handled: number;
  requests: number;
  reading: number;
  writing: number;
  waiting: number;
}

export function createConnectionStats(): ConnectionStats {
  let active = 0;
  let accepts = 0;
  let requests = 0;
  let reading = 0;
  let inFlight = 0;
  return {
    track(server) {
      server.on('connection', (socket: Socket) => {
        accepts += 1;
        active += 1;
        socket.once('close', () => {
          active -= 1;
        });
      });
    },
    requestStarted: () => {
      requests += 1;
      inFlight += 1;
    },
    readingStarted: () => {
      reading += 1;
    },
    readingFinished: () => {
      reading -= 1;
    },
    requestFinished: () => {
      inFlight -= 1;
    },
    get active() {
      return active;
    },
    get inFlight() {
      return inFlight;
    },
    stub() {
      const writing = Math.max(0, inFlight - reading);
      return {
        active,
        accepts,
        handled: accepts,
        requests,
        reading,
        writing,
        waiting: Math.max(0, active - reading - writing),
      };
    },
  };
}

export interface StatusSources {
  stats: ConnectionStats;
  snapshots(): GroupSnapshot[];
  health(group: string): ReadonlyMap<string, ProbeResult>;
  routes(): { prefix: string; upstream: string; configured: string }[];
  retrying(group: string): number;
}

export function statusJson(src: StatusSources): object {
  const upstreams: Record<string, object> = {};
  for (const g of src.snapshots()) {
    const health = src.health(g.name);
    upstreams[g.name] = {
      strategy: g.strategy,
      retriesInFlight: src.retrying(g.name),
      peers: g.peers.map((p) => ({ ...p, healthCheck: health.get(p.id) ?? null })),
    };
  }
  return { ...src.stats.stub(), upstreams, routes: src.routes() };
}

/** The NGINX stub_status text format, for tools that scrape it. */
export function statusText(s: StubStatus): string {
  return (
    `Active connections: ${s.active} \nserver accepts handled requests\n ${s.accepts} ${s.handled} ${s.requests} \n` +
    `Reading: ${s.reading} Writing: ${s.writing} Waiting: ${s.waiting} \n`
  );
}
