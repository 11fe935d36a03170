/**
 * hash $key [consistent], as ngx_http_upstream_hash_module.c.
 *
 * Generic (`ngx_http_upstream_get_hash_peer`), compatible with Cache::Memcached:
 *   loop:
 *     h = crc32([rehash as decimal] ‖ key), the prefix omitted on the first turn
 *     hash += (h >> 16) & 0x7fff;  rehash++
 *     w = hash % total_weight; walk the tier's peers subtracting configured weights
 *     tried or unusable → next turn; after 20 turns → round robin for the request
 *
 * Consistent (`ngx_http_upstream_get_chash_peer`): start at the ring point found for
 * crc32(key); take the usable peers whose name is that point's server and pick among
 * them with smooth WRR (several addresses of one name); if none, move to the next
 * point; after 20 points fall back to round robin. A retry walk
 * starts over at the point where the previous pick stopped, as NGINX keeps `hp->hash`.
 *
 * Both: an empty key, a one-peer tier or more than 20 tries → round robin. The running
 * hash and counters live in the request's walk, as in NGINX's per-request peer data.
 */
import { crc32 } from '../crc32.js';
import type { PeerEntry } from '../peer.js';
import { buildRing, findPoint, type RingPoint } from './ketama.js';
import { peerAtWeight, totalWeight } from './ip-hash.js';
import { smoothPick } from './smooth.js';
import type { PickContext, Strategy, TierPicker, Walk } from './types.js';

export const HASH_MAX_TRIES = 20;

interface HashWalk {
  hash: number;
  rehash: number;
  tries: number;
  started: boolean;
}

const newWalk = (): HashWalk => ({ hash: 0, rehash: 0, tries: 0, started: false });

function fallback(peers: readonly PeerEntry[], ctx: PickContext, state: HashWalk): boolean {
  return !ctx.hashKey || peers.length < 2 || state.tries > HASH_MAX_TRIES;
}

function genericPicker(peers: readonly PeerEntry[]): TierPicker {
  const total = totalWeight(peers);
  const picker: TierPicker = {
    pick(ctx: PickContext, walk: Walk) {
      const state = walk.slot(picker, newWalk);
      if (fallback(peers, ctx, state)) return smoothPick(peers, ctx.usable, ctx.now);
      const key = ctx.hashKey as string;
      for (;;) {
        const h = crc32(state.rehash > 0 ? `${state.rehash}${key}` : key);
        state.hash = (state.hash + ((h >>> 16) & 0x7fff)) >>> 0;
        state.rehash++;
        const peer = peerAtWeight(peers, state.hash % total);
        if (ctx.usable(peer)) return peer;
        if (++state.tries > HASH_MAX_TRIES) return smoothPick(peers, ctx.usable, ctx.now);
      }
    },
  };
  return picker;
}

function consistentPicker(peers: readonly PeerEntry[]): TierPicker {
  const ring = ringFor(peers);
  const picker: TierPicker = {
    pick(ctx: PickContext, walk: Walk) {
      const state = walk.slot(picker, newWalk);
      // Stryker disable next-line ConditionalExpression: weights are >= 1, so the ring is empty only for an empty tier, which `fallback` already sends to round robin
      if (fallback(peers, ctx, state) || ring.length === 0) return smoothPick(peers, ctx.usable, ctx.now);
      if (!state.started) {
        state.hash = findPoint(ring, crc32(ctx.hashKey as string));
        state.started = true;
      }
      for (;;) {
        const server = (ring[state.hash % ring.length] as RingPoint).server;
        const best = smoothPick(
          peers.filter((p) => p.config.name === server),
          ctx.usable,
          ctx.now,
        );
        if (best) return best;
        state.hash++;
        if (++state.tries > HASH_MAX_TRIES) return smoothPick(peers, ctx.usable, ctx.now);
      }
    },
  };
  return picker;
}

/** Points per peer, keyed by its configured name: addresses of one name yield identical points, deduplicated. */
function ringFor(peers: readonly PeerEntry[]): RingPoint[] {
  return buildRing(peers.map((p) => ({ server: p.config.name, weight: p.config.weight })));
}

export function createHash(consistent: boolean): Strategy {
  return { name: 'hash', forTier: consistent ? consistentPicker : genericPicker };
}
