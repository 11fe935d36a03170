import type { GroupSnapshot } from '@fleet/lb-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from './frame.js';
import { totalsKey, type TotalsSample } from './peer-totals.js';
import { RecentPicks } from './recent-picks.js';
import { Sampler, type DashboardSources } from './sampler.js';

const health = { status: 'unchecked' as const, consecutivePasses: 0, consecutiveFails: 0, checks: 0 };
const group: GroupSnapshot = {
  name: 'g',
  strategy: 'round_robin',
  peers: [
    { id: '10.0.0.1:80', address: '10.0.0.1:80', name: 'a:80', backup: false, state: 'up', weight: 2, effectiveWeight: 2, inFlight: 1, maxConns: 0, requests: 7, fails: 0, totalFails: 0, ejections: 1, health },
  ],
};

function harness() {
  let now = 1000;
  let requests = 0;
  let totalsCalls = 0;
  const picks = new RecentPicks(8, () => 5);
  const sources: DashboardSources = {
    snapshots: () => [group],
    health: () => new Map([['10.0.0.1:80', { ok: true, status: 200, durationMs: 3, at: now - 1500 }]]),
    retrying: () => 0,
    stub: () => ({ active: 1, accepts: 1, handled: 1, requests, reading: 0, writing: 1, waiting: 0 }),
    totals: async (): Promise<TotalsSample> => {
      totalsCalls += 1;
      return { bounds: [0.1, Infinity], peers: new Map([[totalsKey('g', '10.0.0.1:80'), { requests, errors: 0, buckets: [requests, requests] }]]) };
    },
    picks,
    actions: () => true,
    serverId: () => 'server-a',
  };
  const sampler = new Sampler(sources, { now: () => now, wallNow: () => 1_700_000_000_000 + now, intervalMs: 3_600_000, onError: (err) => { throw err; } });
  return {
    sampler,
    picks,
    advance(ms: number, more: number) {
      now += ms;
      requests += more;
    },
    get totalsCalls() {
      return totalsCalls;
    },
  };
}

let current: ReturnType<typeof harness> | undefined;
afterEach(() => current?.sampler.close());

describe('Sampler', () => {
  it('records no picks while nobody watches, but keeps sampling the chart history', async () => {
    const h = (current = harness());
    expect(h.picks.enabled).toBe(false);
    await h.sampler.tick();
    h.advance(1000, 10);
    await h.sampler.tick();
    expect(h.totalsCalls).toBe(2);
    expect(h.sampler.history().peers['g/10.0.0.1:80']?.map((p) => p.rps)).toEqual([0, 10]);
  });

  it('hands frames to its watchers; picks are recorded only while one watches', async () => {
    const h = (current = harness());
    const frames: Frame[] = [];
    const unsubscribe = h.sampler.subscribe((f) => frames.push(f));
    expect(h.picks.enabled).toBe(true);
    await h.sampler.tick();
    h.picks.record('g', '10.0.0.1:80', 200);
    h.advance(1000, 20);
    const frame = await h.sampler.tick();
    expect(frame).toMatchObject({ at: 1_700_000_002_000, windowSeconds: 10, actions: true, stub: { requests: 20 } });
    expect(frame?.groups[0]).toMatchObject({ name: 'g', strategy: 'round_robin', retriesInFlight: 0 });
    expect(frame?.groups[0]?.peers[0]).toMatchObject({
      id: '10.0.0.1:80', serverId: 'server-a', state: 'up', weight: 2, inFlight: 1, rps: 20, errorRate: 0, ejections: 1,
      lastCheck: { ok: true, status: 200, durationMs: 3, agoMs: 1500 },
    });
    expect(frame?.picks).toEqual([{ at: 5, group: 'g', peer: '10.0.0.1:80', status: 200, serverId: 'server-a' }]);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(h.sampler.history().peers['g/10.0.0.1:80']?.map((p) => p.rps)).toEqual([0, 20]);
    unsubscribe();
    expect(h.sampler.watchers).toBe(0);
    expect(h.picks.enabled).toBe(false);
    expect(h.picks.list()).toEqual([]);
  });

  it('hands a new watcher the latest frame at once', async () => {
    const h = (current = harness());
    h.sampler.subscribe(() => undefined);
    await h.sampler.tick();
    const seen: Frame[] = [];
    h.sampler.subscribe((f) => seen.push(f));
    expect(seen).toHaveLength(1);
  });
});
