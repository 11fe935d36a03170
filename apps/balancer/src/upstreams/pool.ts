import { createPool, type Pool } from './undici.js';
import type { UpstreamGroupConfig } from '@fleet/config';
import { PeerPool } from '../engine/upstream/pool.js';

/** A peer's connection pool: the engine's own (`engine/upstream/`) or undici's, per `client`. */
export type PeerConnections = PeerPool | Pool;

/**
 * One undici Pool per peer: keep-alive connections (NGINX `keepalive`), with the idle timeout
 * kept below the replica's own keep-alive timeout (Node's default is 5 s) so the balancer, not
 * the replica, closes an idle socket and a request never races a closing connection.
 */
export function createPeerPool(address: string, cfg: UpstreamGroupConfig): PeerConnections {
  if (cfg.client === 'engine') return createEnginePool(address, cfg);
  return createPool(`http://${address}`, {
    connections: cfg.keepalive.connections,
    pipelining: 1,
    keepAliveTimeout: cfg.keepalive.idleTimeoutMs,
    keepAliveMaxTimeout: cfg.keepalive.idleTimeoutMs,
    connect: { timeout: cfg.timeouts.connectMs },
    headersTimeout: cfg.timeouts.headersMs,
    bodyTimeout: cfg.timeouts.bodyIdleMs,
  });
}

/** The same limits on the engine's pool: connections bound, idle timeout, connect and body-idle timeouts. */
function createEnginePool(address: string, cfg: UpstreamGroupConfig): PeerPool {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return new PeerPool({
    host,
    port: Number(address.slice(colon + 1)),
    connections: cfg.keepalive.connections,
    idleTimeoutMs: cfg.keepalive.idleTimeoutMs,
    connectTimeoutMs: cfg.timeouts.connectMs,
    bodyIdleMs: cfg.timeouts.bodyIdleMs,
  });
}

/** Settings that require new pools when they change on reload. */
export function poolSettingsKey(cfg: UpstreamGroupConfig): string {
  return JSON.stringify([cfg.keepalive, cfg.timeouts, cfg.client]);
}
