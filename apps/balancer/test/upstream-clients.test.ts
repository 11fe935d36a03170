import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { expectError, get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { startRawUpstream } from './helpers/raw-upstream.js';
import { deadAddress } from './helpers/dead-address.js';

/**
 * The same proxy behaviour on both upstream clients (`client: engine` and `client: undici`,
 * the documented switch): body and headers relayed, a refused peer and a retryable status
 * retried on the next one, the headers timeout answered 504, a smuggling-prone upstream
 * response answered 502 and never relayed, keep-alive sockets reused.
 */
const f = useFixtures();


describe.each(['engine', 'undici'] as const)('upstream client %s', (client) => {
  async function start(servers: string[], group: Record<string, unknown> = {}): Promise<number> {
    f.balancer = await startTestBalancer({ upstreams: { default: { servers, client, ...group } } });
    return f.balancer.port;
  }

  it('relays a POST body and the answer, with X-Forwarded-For set', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const r = await get(port, '/echo?x=1', { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    expect([r.status, r.json.server_id, r.json.body, r.json.url]).toEqual([200, 's1', 'payload', '/echo?x=1']);
    expect((r.json.headers as Record<string, string>)['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('retries a refused peer and a 503 on the next one', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([await deadAddress(), f.backends[0]?.address ?? ''], { nextUpstream: { on: ['error', 'http_503'], tries: 0 } });
    for (let i = 0; i < 3; i++) expect((await get(port, '/a')).json.server_id).toBe('s1');
    f.backends.push(await startBackend('s2'));
    await f.balancer?.close(1000);
    const port2 = await start([`${f.backends[0]?.address ?? ''}`, `${f.backends[1]?.address ?? ''}`], { nextUpstream: { on: ['http_503'], tries: 0 } });
    const before = f.backends.map((b) => b.hits);
    const r = await get(port2, '/status/503');
    expect(r.status).toBe(503); // both answer 503: the last answer is relayed
    expect(f.backends.map((b, i) => b.hits - (before[i] ?? 0))).toEqual([1, 1]);
  });

  it('answers 504 UPSTREAM_TIMEOUT when the head does not come within headersMs', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? ''], { timeouts: { headersMs: 50 }, nextUpstream: { tries: 1 } });
    expectError(await get(port, '/hold'), 504, 'UPSTREAM_TIMEOUT');
  });

  it('answers 502 to an upstream response with Content-Length and Transfer-Encoding, relaying none of it', async () => {
    const up = await startRawUpstream((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-Leak: 1\r\n\r\n0\r\n\r\n'));
    f.cleanups.push(() => up.close());
    const port = await start([`127.0.0.1:${up.port}`], { nextUpstream: { tries: 1 } });
    const r = await get(port, '/');
    expectError(r, 502, 'UPSTREAM_ERROR');
    expect(r.headers['x-leak']).toBeUndefined();
  });

  it('reuses kept-alive upstream sockets', async () => {
    const up = await startRawUpstream((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    f.cleanups.push(() => up.close());
    const port = await start([`127.0.0.1:${up.port}`]);
    for (let i = 0; i < 5; i++) expect((await get(port, '/')).text).toBe('ok');
    expect(up.requests).toHaveLength(5);
    expect(up.connections.opened).toBe(1);
  });
});
