import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ServerEntry } from '@fleet/config';
import type { PeerConfig } from '@fleet/lb-core';

/**
 * Which peers exist (pingora `discovery.rs`). IP literals are one peer each; hostnames are
 * resolved and every A/AAAA record becomes a peer with id `ip:port` and name = the configured
 * `host:port`, so `docker compose up --scale` and Kubernetes headless Services work. A failed
 * or empty resolution keeps the last good set for that hostname.
 */
export interface ResolvedAddress {
  address: string;
  family: number;
}
export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true });

export interface DiscoveryLogger {
  warn(obj: object, msg: string): void;
}

export const DISCOVERY_ERRORS = { DNS_RESOLVE_FAILED: 'DNS_RESOLVE_FAILED' } as const;

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (m?.[1] === undefined || m[2] === undefined) {
    throw new Error(`upstream address must be host:port, got ${JSON.stringify(address)}`);
  }
  return { host: m[1], port: Number(m[2]) };
}

export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function peerFrom(entry: ServerEntry, address: string): PeerConfig {
  return {
    id: address,
    address,
    name: entry.address,
    weight: entry.weight,
    maxFails: entry.maxFails,
    failTimeoutMs: entry.failTimeoutMs,
    backup: entry.backup,
    down: entry.down,
    maxConns: entry.maxConns,
    slowStartMs: entry.slowStartMs,
  };
}

export interface Discovery {
  /** Resolve every server now; returns the full peer list (ids unique, config order). */
  resolve(): Promise<PeerConfig[]>;
  /** True when some server is a hostname (re-resolution needed). */
  readonly dynamic: boolean;
}

export function createDiscovery(
  servers: readonly ServerEntry[],
  lookup: Lookup,
  logger: DiscoveryLogger,
): Discovery {
  const lastGood = new Map<string, string[]>();
  const dynamic = servers.some((s) => isIP(splitHostPort(s.address).host) === 0);

  const addressesOf = async (entry: ServerEntry): Promise<string[]> => {
    const { host, port } = splitHostPort(entry.address);
    if (isIP(host) !== 0) return [joinHostPort(host, port)];
    try {
      const records = await lookup(host);
      if (records.length === 0) throw new Error('no A/AAAA records');
      const addresses = records.map((r) => joinHostPort(r.address, port));
      lastGood.set(entry.address, addresses);
      return addresses;
    } catch (err) {
      const kept = lastGood.get(entry.address) ?? [];
      logger.warn(
        { code: DISCOVERY_ERRORS.DNS_RESOLVE_FAILED, server: entry.address, err, kept: kept.length },
        'DNS resolution failed; keeping the last good set',
      );
      return kept;
    }
  };

  return {
    dynamic,
    async resolve() {
      const perServer = await Promise.all(servers.map(addressesOf));
      const peers = new Map<string, PeerConfig>();
      servers.forEach((entry, i) => {
        for (const address of perServer[i] ?? []) {
          if (!peers.has(address)) peers.set(address, peerFrom(entry, address));
        }
      });
      return [...peers.values()];
    },
  };
}

/** Order-insensitive comparison of two peer lists (ids and settings). */
export function samePeers(a: readonly PeerConfig[], b: readonly PeerConfig[]): boolean {
  if (a.length !== b.length) return false;
  const key = (p: PeerConfig): string => JSON.stringify(p);
  const set = new Set(a.map(key));
  return b.every((p) => set.has(key(p)));
}
