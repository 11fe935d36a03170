import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { expectError, get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { startScriptedUpstream } from './helpers/scripted-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * Errors the balancer answers itself (README "Errors the balancer answers itself"), each
 * through the real server: ALL_UPSTREAMS_BUSY 503 at max_conns, REQUEST_TIMEOUT 408 for a
 * client that never finishes its headers (slowloris), UPSTREAM_ERROR 502 for an upstream that
 * drops the connection after taking the request.
 */
const f = useFixtures();

/** Everything a raw client receives until the balancer closes the connection (bounded). */
function rawExchange(port: number, payload: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; received: ${JSON.stringify(data)}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (data += c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', () => undefined); // a reset after the answer still ends in 'close'
  });
}

describe('ALL_UPSTREAMS_BUSY', () => {
  it('503 when every peer is at max_conns; served again once a slot frees', async () => {
    f.backends = [await startBackend('s1')];
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [`${f.backends[0]?.address} max_conns=1`] } } });
    const port = f.balancer.port;
    const held = get(port, '/hold');
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the held request at the upstream' });
    expectError(await get(port, '/'), 503, 'ALL_UPSTREAMS_BUSY');
    expect(f.backends[0]?.hits).toBe(1);
    f.backends[0]?.releaseHeld();
    expect((await held).status).toBe(200);
    expect((await get(port, '/')).status).toBe(200);
  });
});

describe('REQUEST_TIMEOUT (slowloris)', () => {
  it('408 JSON for a client that stops in the middle of its headers, then the connection closes', async () => {
    f.backends = [await startBackend('s1')];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [f.backends[0]?.address] } },
      limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 },
    });
    const reply = await rawExchange(f.balancer.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const [head = '', body = ''] = reply.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(f.backends[0]?.hits).toBe(0);
  });
});

describe('UPSTREAM_ERROR', () => {
  it('502 when the upstream drops the connection after taking a request that cannot be retried', async () => {
    const up = await startScriptedUpstream('s1');
    f.cleanups.push(() => up.close());
    up.onRequest = (ex) => void ex.body.then(() => ex.req.socket.destroy());
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [up.address] } } });
    const r = await get(f.balancer.port, '/orders', { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } });
    expectError(r, 502, 'UPSTREAM_ERROR');
    expect(up.exchanges).toHaveLength(1);
    expect(r.text).not.toContain('ECONNRESET'); // details go to the log, not to the client
  });
});
