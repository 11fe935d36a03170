/** round_robin: NGINX smooth weighted round robin over the tier (see smooth.ts). */
import type { PeerEntry } from '../peer.js';
import { smoothPick } from './smooth.js';
import type { Strategy, TierPicker } from './types.js';

export function roundRobinPicker(peers: readonly PeerEntry[]): TierPicker {
  return { pick: (ctx) => smoothPick(peers, ctx.usable, ctx.now) };
}

export function createRoundRobin(): Strategy {
  return { name: 'round_robin', forTier: roundRobinPicker };
}
