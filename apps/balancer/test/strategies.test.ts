import { createSeededRandom } from '@fleet/lb-core';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { useFixtures } from './helpers/fixtures.js';
import { get, serverIds, startTestBalancer } from './helpers/balancer.js';

/** Strategy behaviour through the real proxy, against node:http fixture upstreams. */
const f = useFixtures();

async function setup(group: Record<string, unknown>, weights: number[] = [1, 1, 1], extra: Record<string, unknown> = {}): Promise<void> {
  f.backends = await Promise.all(weights.map((_, i) => startBackend(`s${i + 1}`)));
  const servers = f.backends.map((b, i) => `${b.address} weight=${weights[i] ?? 1}`);
  f.balancer = await startTestBalancer({ upstreams: { default: { servers, ...group } }, ...extra }, { random: createSeededRandom(42) });
}

const port = (): number => {
  if (f.balancer === undefined) throw new Error('no balancer');
  return f.balancer.port;
};

describe('rotation through the balancer', () => {
  it('round_robin cycles through every replica in order', async () => {
    await setup({ strategy: 'round_robin' });
    const ids = await serverIds(port(), 9);
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(ids.slice(3, 6)).toEqual(ids.slice(0, 3));
    expect(ids.slice(6, 9)).toEqual(ids.slice(0, 3));
  });

  it('smooth weighted round robin gives the exact NGINX sequence for weights 5,1,1', async () => {
    await setup({ strategy: 'round_robin' }, [5, 1, 1]);
    const ids = await serverIds(port(), 14);
    const cycle = ['s1', 's1', 's2', 's1', 's3', 's1', 's1'];
    expect(ids).toEqual([...cycle, ...cycle]);
  });

  it.each(['least_conn', 'random', 'random_two', 'least_time'])('%s spreads sequential requests over every replica', async (strategy) => {
    await setup({ strategy });
    const ids = await serverIds(port(), 60);
    expect(new Set(ids)).toEqual(new Set(['s1', 's2', 's3']));
  });

  it('least_conn sends new requests away from a replica busy with slow requests', async () => {
    await setup({ strategy: 'least_conn' });
    const b = f.balancer;
    if (b === undefined) throw new Error('no balancer');
    // Two requests held open on whichever replicas get them.
    const held = [get(port(), '/hold'), get(port(), '/hold')];
    const busy = await waitForHeld(2);
    const fast = await serverIds(port(), 6);
    const idle = f.backends.find((x) => !busy.includes(x.id))?.id;
    expect(fast).toEqual(Array(6).fill(idle));
    f.backends.forEach((x) => x.releaseHeld());
    await Promise.all(held);
    const peers = b.upstreams.get('default')?.group.snapshot(0).peers ?? [];
    expect(peers.every((p) => p.inFlight === 0)).toBe(true);
  });
});

async function waitForHeld(n: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const busy = f.backends.filter((b) => b.hits > 0).map((b) => b.id);
    if (busy.length >= n) return busy;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('held requests never arrived');
}

describe('sticky strategies', () => {
  const trusted = { trustedProxies: ['127.0.0.1'] };
  const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip });

  it('ip_hash keeps a client on one replica and moves it when that replica dies', async () => {
    await setup({ strategy: 'ip_hash' }, [1, 1, 1], trusted);
    const clients = ['10.0.1.5', '10.0.2.5', '10.0.3.5', '10.0.4.5', '10.0.5.5', '10.0.6.5'];
    const homes = new Map<string, string>();
    for (const c of clients) {
      const ids = await serverIds(port(), 5, '/', from(c));
      expect(new Set(ids).size).toBe(1);
      homes.set(c, ids[0] ?? '');
    }
    expect(new Set(homes.values()).size).toBeGreaterThan(1);
    const victimId = homes.get(clients[0] ?? '') ?? '';
    await f.backends.find((b) => b.id === victimId)?.close();
    const after = await serverIds(port(), 5, '/', from(clients[0] ?? ''));
    expect(after.every((id) => id !== victimId && id.startsWith('s'))).toBe(true);
    expect(new Set(after).size).toBe(1);
    for (const c of clients.slice(1)) {
      if (homes.get(c) === victimId) continue;
      expect(await serverIds(port(), 2, '/', from(c))).toEqual([homes.get(c), homes.get(c)]);
    }
  });

  it('ip_hash ignores X-Forwarded-For from an untrusted peer', async () => {
    await setup({ strategy: 'ip_hash' });
    const a = await serverIds(port(), 3, '/', from('10.0.1.5'));
    const b = await serverIds(port(), 3, '/', from('192.168.7.7'));
    expect(new Set([...a, ...b]).size).toBe(1);
  });

  it('consistent hash on a header is sticky; a dead replica only moves its own keys', async () => {
    await setup({ strategy: 'hash', hashKey: '$http_x_user', consistent: true });
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const homes = new Map<string, string>();
    for (const u of users) {
      const ids = await serverIds(port(), 3, '/', { 'x-user': u });
      expect(new Set(ids).size).toBe(1);
      homes.set(u, ids[0] ?? '');
    }
    expect(new Set(homes.values()).size).toBeGreaterThan(1);
    const victimId = homes.get(users[0] ?? '') ?? '';
    await f.backends.find((b) => b.id === victimId)?.close();
    for (const u of users) {
      const ids = await serverIds(port(), 2, '/', { 'x-user': u });
      if (homes.get(u) === victimId) expect(ids.every((id) => id !== victimId && id.startsWith('s'))).toBe(true);
      else expect(ids).toEqual([homes.get(u), homes.get(u)]);
    }
  });
});
