import { describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { get, serverIds, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';

/** Admin listener: /status, /metrics, token-protected drain and blue-green route switch. */
const f = useFixtures();
const auth = { authorization: 'Bearer test-token' };

async function twoPeers(): Promise<[Backend, Backend, number, number]> {
  f.backends = [await startBackend('s1'), await startBackend('s2')];
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: f.backends.map((b) => b.address) } } });
  const [a, b] = f.backends as [Backend, Backend];
  return [a, b, f.balancer.port, f.balancer.adminPort];
}

describe('admin', () => {
  it('GET /status has the stub_status fields and per-peer JSON', async () => {
    const [a, , port, admin] = await twoPeers();
    await serverIds(port, 4);
    const s = (await get(admin, '/status')).json;
    for (const k of ['active', 'accepts', 'handled', 'requests', 'reading', 'writing', 'waiting']) expect(typeof s[k]).toBe('number');
    expect(s.requests).toBe(4);
    const peers = (s.upstreams as { default: { strategy: string; peers: Record<string, unknown>[] } }).default;
    expect(peers.strategy).toBe('round_robin');
    expect(peers.peers.find((p) => p.id === a.address)).toMatchObject({ state: 'up', requests: 2, inFlight: 0, weight: 1 });
    const text = (await get(admin, '/status?format=text')).text;
    expect(text).toMatch(/^Active connections: \d+ \nserver accepts handled requests\n \d+ \d+ 4 \nReading: \d+ Writing: \d+ Waiting: \d+ \n$/);
  });

  it('GET /metrics exposes requests, latency, retries, peer state and connections', async () => {
    const [a, , port, admin] = await twoPeers();
    await serverIds(port, 2);
    const text = (await get(admin, '/metrics')).text;
    expect(text).toContain(`fleet_balancer_upstream_requests_total{group="default",peer="${a.address}",status="200"} 1`);
    expect(text).toContain(`fleet_balancer_upstream_response_seconds_bucket{le="0.001",group="default",peer="${a.address}"}`);
    expect(text).toContain(`fleet_balancer_peer_state{group="default",peer="${a.address}",state="up"} 1`);
    expect(text).toContain('fleet_balancer_retries_total');
    expect(text).toMatch(/fleet_balancer_active_connections \d+/);
    expect(text).toContain('fleet_balancer_responses_total{route="/",status="200"} 2');
  });

  it('drains and undrains a peer with the token only', async () => {
    const [a, , port, admin] = await twoPeers();
    const path = `/admin/peers/default/${encodeURIComponent(a.address)}/drain`;
    expect((await get(admin, path, { method: 'POST' })).status).toBe(401);
    expect((await get(admin, path, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const ok = await get(admin, path, { method: 'POST', headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ drained: true, peers: [a.address] });
    expect(new Set(await serverIds(port, 6))).toEqual(new Set(['s2']));
    await get(admin, path.replace(/drain$/, 'undrain'), { method: 'POST', headers: auth });
    expect(new Set(await serverIds(port, 6))).toEqual(new Set(['s1', 's2']));
    expect((await get(admin, '/admin/peers/default/10.9.9.9:1/drain', { method: 'POST', headers: auth })).status).toBe(404);
  });

  it('switches a route to another group (blue-green)', async () => {
    f.backends = [await startBackend('blue'), await startBackend('green')];
    const [blue, green] = f.backends as [Backend, Backend];
    f.balancer = await startTestBalancer({
      upstreams: { blue: { servers: [blue.address] }, green: { servers: [green.address] } },
      routes: [{ prefix: '/', upstream: 'blue' }],
    });
    const { port, adminPort } = f.balancer;
    expect(await serverIds(port, 2)).toEqual(['blue', 'blue']);
    const body = JSON.stringify({ prefix: '/', upstream: 'green' });
    const r = await get(adminPort, '/admin/routes', { method: 'POST', body, headers: { ...auth, 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(await serverIds(port, 2)).toEqual(['green', 'green']);
    const bad = await get(adminPort, '/admin/routes', { method: 'POST', body: JSON.stringify({ prefix: '/', upstream: 'nope' }), headers: auth });
    expect(bad.status).toBe(404);
  });
});
