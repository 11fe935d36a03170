import { Pool } from './undici.js';
import type { UpstreamGroupConfig } from '@fleet/config';

/**
 * One undici Pool per peer: keep-alive connections (NGINX `keepalive`), with the idle timeout
 * kept below the replica's own keep-alive timeout (Node's default is 5 s) so the balancer, not
 * the replica, closes an idle socket and a request never races a closing connection.
 */
export function createPeerPool(address: string, cfg: UpstreamGroupConfig): Pool {
  return new Pool(`http://${address}`, {
    connections: cfg.keepalive.connections,
    pipelining: 1,
    keepAliveTimeout: cfg.keepalive.idleTimeoutMs,
    keepAliveMaxTimeout: cfg.keepalive.idleTimeoutMs,
    connect: { timeout: cfg.timeouts.connectMs },
    headersTimeout: cfg.timeouts.headersMs,
    bodyTimeout: cfg.timeouts.bodyIdleMs,
  });
}

/** Settings that require new pools when they change on reload. */
export function poolSettingsKey(cfg: UpstreamGroupConfig): string {
  return JSON.stringify([cfg.keepalive, cfg.timeouts]);
}
