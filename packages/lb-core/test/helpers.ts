import { createGroup, createSeededRandom } from '../src/index.js';
import type { Group, GroupOptions, PeerConfig, SelectContext, StrategyName, StrategyOptions } from '../src/index.js';

/** A peer with NGINX defaults (weight=1 max_fails=1 fail_timeout=10s). */
export function peer(id: string, overrides: Partial<PeerConfig> = {}): PeerConfig {
  return {
    id,
    address: id,
    name: id,
    weight: 1,
    maxFails: 1,
    failTimeoutMs: 10_000,
    backup: false,
    down: false,
    maxConns: 0,
    slowStartMs: 0,
    ...overrides,
  };
}

/** Peers from a compact table: `{ a: 5, b: 1 }` → weights. */
export function weighted(weights: Record<string, number>, overrides: Partial<PeerConfig> = {}): PeerConfig[] {
  return Object.entries(weights).map(([id, weight]) => peer(id, { ...overrides, weight }));
}

export function makeGroup(
  strategy: StrategyName | StrategyOptions,
  peers: readonly PeerConfig[],
  extra: Partial<GroupOptions> = {},
): Group {
  return createGroup({
    name: 'test',
    strategy: typeof strategy === 'string' ? { name: strategy } : strategy,
    peers,
    random: createSeededRandom(42),
    now: 0,
    ...extra,
  });
}

/** Id of one pick; throws with the error code when nothing could be picked. */
export function pickId(group: Group, ctx: SelectContext): string {
  const result = group.select(ctx);
  if (!result.ok) throw new Error(`no pick: ${result.code}: ${result.message}`);
  return result.peer.id;
}

/** `n` consecutive picks at `now`, each a complete successful request. */
export function pickIds(group: Group, n: number, ctx: SelectContext = { now: 0 }): string[] {
  return Array.from({ length: n }, () => pickId(group, ctx));
}

export function countBy(ids: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

/** Report one failed attempt (acquire + report + release), as the balancer does. */
export function fail(group: Group, id: string, now: number): void {
  group.acquire(id);
  group.report(id, { ok: false, now });
  group.release(id);
}

export function succeed(group: Group, id: string, now: number, latencyMs?: number): void {
  group.acquire(id);
  group.report(id, latencyMs === undefined ? { ok: true, now } : { ok: true, now, latencyMs });
  group.release(id);
}
