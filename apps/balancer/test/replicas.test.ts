import { createSeededRandom } from '@fleet/lb-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { startReplica, type Replica } from './helpers/processes.js';
import { waitFor } from './helpers/wait.js';

/**
 * Real model-server replicas (the committed ONNX model) behind the balancer: server_id
 * rotation for every strategy, and failover when a replica is killed or paused.
 */
const f = useFixtures();
let replicas: Replica[] = [];

beforeAll(async () => {
  replicas = await Promise.all(['server-1', 'server-2', 'server-3'].map((id) => startReplica(id)));
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
});

const predictBody = JSON.stringify({ text: 'win a free prize now' });
const json = { 'content-type': 'application/json' };

async function predictIds(port: number, n: number, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await get(port, '/predict', { method: 'POST', body: predictBody, headers: { ...json, ...headers } });
    expect(r.status).toBe(200);
    expect(r.json.server_id).toBe(r.headers['x-server-id']);
    ids.push(String(r.json.server_id));
  }
  return ids;
}

async function balance(group: Record<string, unknown>, addresses = replicas.map((r) => r.address), extra: Record<string, unknown> = {}): Promise<number> {
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: addresses, ...group } }, ...extra }, { random: createSeededRandom(7) });
  return f.balancer.port;
}

describe('server_id rotation through real replicas', () => {
  it('round_robin: server-1, server-2, server-3 in a fixed cycle', async () => {
    const port = await balance({ strategy: 'round_robin' });
    const ids = await predictIds(port, 9);
    expect(new Set(ids.slice(0, 3)).size).toBe(3);
    expect(ids.slice(3, 6)).toEqual(ids.slice(0, 3));
    expect(ids.slice(6)).toEqual(ids.slice(0, 3));
  });

  it('weighted round robin 5,1,1: the exact smooth sequence', async () => {
    const [a, b, c] = replicas.map((r) => r.address);
    const port = await balance({ strategy: 'round_robin', servers: [`${a} weight=5`, `${b} weight=1`, `${c} weight=1`] });
    const cycle = ['server-1', 'server-1', 'server-2', 'server-1', 'server-3', 'server-1', 'server-1'];
    expect(await predictIds(port, 7)).toEqual(cycle);
  });

  it.each(['least_conn', 'random', 'random_two', 'least_time'])('%s: every replica answers', async (strategy) => {
    const port = await balance({ strategy });
    expect(new Set(await predictIds(port, 30))).toEqual(new Set(['server-1', 'server-2', 'server-3']));
  });

  it('ip_hash and hash: one client / one key stays on one replica', async () => {
    let port = await balance({ strategy: 'ip_hash' }, undefined, { trustedProxies: ['127.0.0.1'] });
    for (const ip of ['198.51.100.1', '198.51.100.77', '203.0.113.5']) {
      expect(new Set(await predictIds(port, 4, { 'x-forwarded-for': ip })).size).toBe(1);
    }
    await f.balancer?.close(1000);
    port = await balance({ strategy: 'hash', hashKey: '$http_x_session', consistent: true });
    const homes = new Set<string>();
    for (const s of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const ids = new Set(await predictIds(port, 3, { 'x-session': s }));
      expect(ids.size).toBe(1);
      homes.add([...ids][0] ?? '');
    }
    expect(homes.size).toBeGreaterThan(1);
  });
});

describe('failover with real replicas', () => {
  async function load(port: number, workers: number, perWorker: number, during: () => Promise<void>): Promise<string[]> {
    const statuses: string[] = [];
    let started = 0;
    const triggerAt = Math.floor((workers * perWorker) / 3);
    let trigger: Promise<void> | undefined;
    const worker = async (): Promise<void> => {
      for (let i = 0; i < perWorker; i++) {
        started += 1;
        if (started === triggerAt) trigger = during();
        const r = await get(port, '/predict', { method: 'POST', body: predictBody, headers: json });
        statuses.push(r.status === 200 ? 'ok' : `${r.status} ${r.text}`);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    await trigger;
    return statuses;
  }

  it('SIGKILL of a replica under load: no failed request', async () => {
    const victim = await startReplica('victim');
    const port = await balance({}, [...replicas.slice(0, 2).map((r) => r.address), victim.address]);
    // 3 concurrent clients: at most 3 requests can be on the victim when it dies, which the
    // retry budget's floor (3 concurrent retries) always covers; more would be rationed by design.
    const statuses = await load(port, 3, 50, async () => {
      victim.signal('SIGKILL');
      await victim.exited;
    });
    expect(statuses.filter((s) => s !== 'ok')).toEqual([]);
    const peer = f.balancer?.upstreams.get('default')?.group.snapshot(0).peers.find((p) => p.id === victim.address);
    expect(peer?.totalFails).toBeGreaterThan(0);
  });

  it('SIGSTOP of a replica: requests time out on it and fail over; it serves again after SIGCONT', async () => {
    const paused = await startReplica('paused');
    // headersMs leaves a loaded machine plenty of room for a real answer; one timeout on the
    // paused replica ejects it for fail_timeout, so the walk below waits for it only once.
    const servers = [...replicas.slice(0, 2).map((r) => r.address), `${paused.address} max_fails=1 fail_timeout=5s`];
    const port = await balance({ servers, timeouts: { headersMs: 3000 } });
    expect(new Set(await predictIds(port, 6))).toContain('paused');
    paused.signal('SIGSTOP');
    const ids = await predictIds(port, 9);
    expect(ids).not.toContain('paused');
    const peer = f.balancer?.upstreams.get('default')?.group.snapshot(0).peers.find((p) => p.id === paused.address);
    expect(peer?.totalFails).toBeGreaterThan(0);
    paused.signal('SIGCONT');
    await waitFor(async () => (await predictIds(port, 3)).includes('paused'), { timeoutMs: 40_000, intervalMs: 100, what: 'paused replica back in rotation' });
    await paused.stop();
  });
});
