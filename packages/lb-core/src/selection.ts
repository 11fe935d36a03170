/**
 * One selection over a peer-set snapshot: primary tier first, the backup tier only when
 * no primary is usable (NGINX: `peers->next` is tried when the primaries yield no
 * peer), then a stable error code saying why nothing could be picked.
 */
import type { PeerEntry } from './peer.js';
import type { PeerSet, Tier } from './peer-set.js';
import type { PickContext, Walk } from './strategies/index.js';
import { LB_ERROR_CODES, type LbErrorCode, type PickedPeer, type SelectContext, type SelectResult } from './types.js';

export type Exclusion = 'down' | 'draining' | 'unhealthy' | 'failed' | 'tried' | 'max_conns';

export interface SelectionEnv {
  readonly groupName: string;
  readonly activeHealth: boolean;
}

/** Why `peer` cannot take this pick, or undefined when it can. Order = precedence. */
export function exclusionOf(
  peer: PeerEntry,
  set: PeerSet,
  ctx: Pick<SelectContext, 'now' | 'tried'>,
  env: SelectionEnv,
): Exclusion | undefined {
  if (peer.config.down) return 'down';
  if (peer.drained) return 'draining';
  if (env.activeHealth && peer.health.status !== 'healthy') return 'unhealthy';
  if (!set.single && peer.isFailed(ctx.now)) return 'failed';
  if (ctx.tried?.has(peer.id)) return 'tried';
  if (peer.atMaxConns()) return 'max_conns';
  return undefined;
}

function picked(peer: PeerEntry): PickedPeer {
  const { id, address, name, backup } = peer.config;
  return Object.freeze({ id, address, name, backup });
}

function failure(set: PeerSet, ctx: Pick<SelectContext, 'now' | 'tried'>, env: SelectionEnv): SelectResult {
  if (set.all.length === 0) {
    return { ok: false, code: LB_ERROR_CODES.NO_PEERS, message: `upstream group "${env.groupName}" has no peers` };
  }
  const counts = new Map<Exclusion, number>();
  for (const peer of set.all) {
    const why = exclusionOf(peer, set, ctx, env);
    if (why) counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const code: LbErrorCode = counts.has('max_conns')
    ? LB_ERROR_CODES.ALL_AT_MAX_CONNS
    : counts.has('tried')
      ? LB_ERROR_CODES.ALL_TRIED
      : LB_ERROR_CODES.NO_LIVE_UPSTREAM;
  const detail = [...counts].map(([why, n]) => `${n} ${why}`).join(', ');
  const message = `no usable peer in upstream group "${env.groupName}" (${set.all.length} peers: ${detail})`;
  return { ok: false, code, message };
}

/**
 * The state of one `select` or retry walk, built once and reused by each of its picks:
 * it is the strategies' PickContext (`usable` bound once), holds their per-walk slots,
 * and reads the peer set passed to each `pick` (a walk continues on a swapped set).
 */
export class Selection implements PickContext, Walk {
  now: number;
  readonly clientIp: string | undefined;
  readonly hashKey: string | undefined;
  private readonly slots = new Map<object, unknown>();
  private set: PeerSet;

  constructor(
    ctx: SelectContext,
    readonly tried: ReadonlySet<string> | undefined,
    private readonly env: SelectionEnv,
    set: PeerSet,
  ) {
    this.now = ctx.now;
    this.clientIp = ctx.clientIp;
    this.hashKey = ctx.hashKey;
    this.set = set;
  }

  readonly usable = (peer: PeerEntry): boolean => exclusionOf(peer, this.set, this, this.env) === undefined;

  pick(set: PeerSet): SelectResult {
    this.set = set;
    const peer = pickTier(set.primary, this) ?? pickTier(set.backup, this);
    if (!peer) return failure(set, this, this.env);
    peer.onPicked(this.now);
    return { ok: true, peer: picked(peer) };
  }

  slot<T>(owner: object, init: () => T): T {
    if (!this.slots.has(owner)) this.slots.set(owner, init());
    return this.slots.get(owner) as T;
  }
}

function pickTier(tier: Tier, selection: Selection): PeerEntry | undefined {
  return tier.peers.length === 0 ? undefined : tier.picker.pick(selection, selection);
}
