import type { RandomSource, StrategyOptions } from '../types.js';
import { createHash } from './hash.js';
import { createIpHash } from './ip-hash.js';
import { createLeastConn } from './least-conn.js';
import { createLeastTime } from './least-time.js';
import { createRandomTwo } from './random-two.js';
import { createRandom } from './random.js';
import { createRoundRobin } from './round-robin.js';
import type { Strategy } from './types.js';

export type { Strategy, TierPicker, PickContext, Walk } from './types.js';

export function createStrategy(options: StrategyOptions, random: RandomSource): Strategy {
  switch (options.name) {
    case 'round_robin':
      return createRoundRobin();
    case 'least_conn':
      return createLeastConn();
    case 'ip_hash':
      return createIpHash();
    case 'hash':
      return createHash(options.consistent ?? false);
    case 'random':
      return createRandom(random);
    case 'random_two':
      return createRandomTwo(random);
    case 'least_time':
      return createLeastTime();
  }
}
