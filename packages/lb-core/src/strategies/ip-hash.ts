/**
 * ip_hash, as ngx_http_upstream_ip_hash_module.c (`ngx_http_upstream_get_ip_hash_peer`):
 *
 *   hash = 89
 *   loop:
 *     for each address byte: hash = (hash * 113 + byte) % 6271
 *     w = hash % total_weight; walk the tier's peers subtracting configured weights
 *     if that peer is tried or unusable: rehash (next loop turn); after 20 turns
 *     fall back to round robin for the rest of the request
 *
 * The running hash and the try counter belong to the request (the retry walk), as in
 * NGINX, so a retry continues the rehash sequence instead of starting over.
 * `total_weight` counts every peer of the tier, down ones included, as NGINX does.
 *
 * Departure: NGINX hashes a pseudo address of three zero bytes for non-IP clients (unix
 * sockets); here an unknown or unparsable client address goes to round robin.
 */
import { ipHashBytes } from '../ip-address.js';
import type { PeerEntry } from '../peer.js';
import { smoothPick } from './smooth.js';
import type { Strategy, TierPicker } from './types.js';

export const IP_HASH_MAX_TRIES = 20;

interface IpHashWalk {
  hash: number;
  tries: number;
}

/** Peer index for weight offset `w` (NGINX: `while (w >= peer->weight) w -= weight`). */
export function peerAtWeight(peers: readonly PeerEntry[], w: number): PeerEntry {
  let rest = w;
  for (const peer of peers) {
    if (rest < peer.config.weight) return peer;
    rest -= peer.config.weight;
  }
  return peers[peers.length - 1] as PeerEntry;
}

export function totalWeight(peers: readonly PeerEntry[]): number {
  // Stryker disable next-line ArithmeticOperator: the total is only a modulus, and x % -t === x % t for x >= 0
  return peers.reduce((sum, peer) => sum + peer.config.weight, 0);
}

export function createIpHash(): Strategy {
  return {
    name: 'ip_hash',
    forTier(peers): TierPicker {
      const total = totalWeight(peers);
      const picker: TierPicker = {
        pick(ctx, walk) {
          const bytes = ipHashBytes(ctx.clientIp);
          const state = walk.slot<IpHashWalk>(picker, () => ({ hash: 89, tries: 0 }));
          if (!bytes || peers.length < 2 || state.tries > IP_HASH_MAX_TRIES) {
            return smoothPick(peers, ctx.usable, ctx.now);
          }
          for (;;) {
            for (const byte of bytes) state.hash = (state.hash * 113 + byte) % 6271;
            const peer = peerAtWeight(peers, state.hash % total);
            if (ctx.usable(peer)) return peer;
            if (++state.tries > IP_HASH_MAX_TRIES) return smoothPick(peers, ctx.usable, ctx.now);
          }
        },
      };
      return picker;
    },
  };
}
