/**
 * Who a peer says it is: its `x-server-id` response header (fleet replicas set it on every
 * answer), asked once per peer with a GET on the group's health-check path and remembered
 * for `ttlMs`. Only the dashboard asks, only while someone watches, at most one request per
 * peer per `ttlMs`; an upstream without the header keeps its address as its name.
 */
import { createAgent, request, type Agent } from '../upstreams/undici.js';

export type IdentityFetch = (address: string, path: string, timeoutMs: number) => Promise<string | null>;

export interface IdentityLogger {
  debug(obj: object, msg: string): void;
}

interface Entry {
  serverId: string | null;
  expires: number;
  pending: boolean;
}

let agent: Agent | undefined;

export const fetchServerId: IdentityFetch = async (address, path, timeoutMs) => {
  agent ??= createAgent({ keepAliveTimeout: 4000 });
  const res = await request(agent, `http://${address}${path}`, {
    method: 'GET',
    headers: { 'user-agent': 'fleet-balancer-dashboard' },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.body.dump();
  const id = res.headers['x-server-id'];
  return typeof id === 'string' && id !== '' ? id : null;
};

export class PeerIdentity {
  private readonly entries = new Map<string, Entry>();
  /** Lookups that failed (refused, timed out): counted, logged at debug, retried after the TTL. */
  failures = 0;

  constructor(
    private readonly deps: { fetch: IdentityFetch; now: () => number; logger: IdentityLogger; ttlMs?: number; timeoutMs?: number },
  ) {}

  /** The known server id (null while unknown), without asking the peer. */
  peek(peerId: string): string | null {
    return this.entries.get(peerId)?.serverId ?? null;
  }

  /** The known server id (null while unknown); starts a lookup when there is none or it expired. */
  get(peerId: string, address: string, path: string): string | null {
    const now = this.deps.now();
    const entry = this.entries.get(peerId);
    if (entry !== undefined && (entry.pending || entry.expires > now)) return entry.serverId;
    const next: Entry = { serverId: entry?.serverId ?? null, expires: now + (this.deps.ttlMs ?? 30_000), pending: true };
    this.entries.set(peerId, next);
    this.deps.fetch(address, path, this.deps.timeoutMs ?? 2000).then(
      (serverId) => {
        next.serverId = serverId;
        next.pending = false;
      },
      (err: unknown) => {
        next.pending = false;
        this.failures += 1;
        this.deps.logger.debug({ code: 'DASHBOARD_IDENTITY_FAILED', peer: peerId, err }, 'dashboard: could not ask a peer for its server id');
      },
    );
    return next.serverId;
  }

  /** Forget peers that are gone. */
  retain(peerIds: ReadonlySet<string>): void {
    for (const id of this.entries.keys()) if (!peerIds.has(id)) this.entries.delete(id);
  }
}
