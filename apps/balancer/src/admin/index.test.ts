import type { GroupSnapshot } from '@fleet/lb-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from './index.js';
import type { TotalsSample } from './peer-totals.js';
import { RecentPicks } from './recent-picks.js';

const health = { status: 'unchecked' as const, consecutivePasses: 0, consecutiveFails: 0, checks: 0 };
const group: GroupSnapshot = {
  name: 'g',
  strategy: 'round_robin',
  peers: [
    { id: '10.0.0.1:80', address: '10.0.0.1:80', name: 'a:80', backup: false, state: 'up', weight: 1, effectiveWeight: 1, inFlight: 0, maxConns: 0, requests: 0, fails: 0, totalFails: 0, ejections: 0, health },
  ],
};

let dashboard: Dashboard | undefined;
afterEach(() => dashboard?.close());

describe('createDashboard', () => {
  it('asks peers for their server id only while a page watches: an unwatched balancer sends them nothing', async () => {
    const asked: string[] = [];
    dashboard = createDashboard({
      sources: {
        snapshots: () => [group],
        health: () => new Map(),
        retrying: () => 0,
        stub: () => ({ active: 0, accepts: 0, handled: 0, requests: 0, reading: 0, writing: 0, waiting: 0 }),
        totals: async (): Promise<TotalsSample> => ({ bounds: [Infinity], peers: new Map() }),
        picks: new RecentPicks(8, () => 0),
        actions: () => false,
      },
      probePath: () => '/health/ready',
      now: () => 0,
      logger: { debug: () => undefined, warn: () => undefined },
      intervalMs: 3_600_000,
      identityFetch: async (address, path) => {
        asked.push(`${address}${path}`);
        return 'server-a';
      },
    });
    for (let i = 0; i < 3; i++) await dashboard.sampler.tick();
    expect(asked).toEqual([]);
    const unsubscribe = dashboard.sampler.subscribe(() => undefined);
    await dashboard.sampler.tick();
    expect(asked).toEqual(['10.0.0.1:80/health/ready']);
    await dashboard.sampler.tick();
    expect(dashboard.sampler.latest()?.groups[0]?.peers[0]?.serverId).toBe('server-a');
    unsubscribe();
    await dashboard.sampler.tick();
    expect(dashboard.sampler.latest()?.groups[0]?.peers[0]?.serverId).toBe('server-a'); // remembered, not asked again
    expect(asked).toHaveLength(1);
  });
});
