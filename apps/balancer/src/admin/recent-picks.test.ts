import { describe, expect, it } from 'vitest';
import { RecentPicks } from './recent-picks.js';

describe('RecentPicks', () => {
  it('records nothing while nobody watches', () => {
    const ring = new RecentPicks(4, () => 1);
    ring.record('g', 'a', 200);
    expect(ring.list()).toEqual([]);
  });

  it('keeps the latest `capacity` attempts, oldest first', () => {
    let t = 0;
    const ring = new RecentPicks(3, () => ++t);
    ring.enabled = true;
    for (const [peer, status] of [['a', 200], ['b', 502], ['c', 'ECONNREFUSED'], ['a', 200], ['b', 200]] as const) ring.record('g', peer, status);
    expect(ring.list()).toEqual([
      { at: 3, group: 'g', peer: 'c', status: 'ECONNREFUSED' },
      { at: 4, group: 'g', peer: 'a', status: 200 },
      { at: 5, group: 'g', peer: 'b', status: 200 },
    ]);
    ring.clear();
    expect(ring.list()).toEqual([]);
  });
});
