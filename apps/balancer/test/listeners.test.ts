import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackend } from './helpers/backend.js';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { h2Connect, h2Request } from './helpers/h2.js';
import { makeTestCert } from './helpers/tls.js';
import { waitFor } from './helpers/wait.js';

/** TLS termination, HTTP→HTTPS redirect, HTTP/2 for clients, WebSocket proxying. */
const f = useFixtures();
const tls = makeTestCert();
const ca = readFileSync(tls.cert);
afterAll(() => tls.cleanup());

describe('TLS', () => {
  it('terminates TLS and redirects plain HTTP to HTTPS', async () => {
    f.backends = [await startBackend('s1')];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [f.backends[0]?.address] } },
      https: { port: 0, cert: tls.cert, key: tls.key, redirectHttp: true },
    });
    const httpsPort = f.balancer.httpsPort ?? 0;
    const dispatcher = new Agent({ connect: { ca } });
    f.cleanups.push(() => dispatcher.close());
    const res = await request(`https://localhost:${httpsPort}/secure?x=1`, { dispatcher });
    const body = (await res.body.json()) as { server_id: string; headers: Record<string, string> };
    expect(res.statusCode).toBe(200);
    expect(body.server_id).toBe('s1');
    expect(body.headers['x-forwarded-proto']).toBe('https');

    const redirect = await get(f.balancer.port, '/secure?x=1', { headers: { host: 'localhost' } });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://localhost:${httpsPort}/secure?x=1`);
    const post = await get(f.balancer.port, '/p', { method: 'POST', body: 'x', headers: { host: 'localhost:80' } });
    expect(post.status).toBe(308);
  });

  it('serves HTTP/2 and HTTP/1.1 on the same TLS port', async () => {
    f.backends = [await startBackend('s1')];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [f.backends[0]?.address] } },
      https: { port: 0, cert: tls.cert, key: tls.key, http2: true },
    });
    const session = h2Connect(f.balancer.httpsPort, tls.cert);
    f.cleanups.push(() => session.destroy());
    const { status, body } = await h2Request(session, { ':path': '/h2?q=1', ':method': 'POST', 'content-type': 'text/plain' }, 'hello h2');
    expect(status).toBe(200);
    const echoed = JSON.parse(body) as { url: string; body: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ url: '/h2?q=1', body: 'hello h2' });
    expect(echoed.headers.host).toBe(`localhost:${f.balancer.httpsPort}`);
    const dispatcher = new Agent({ connect: { ca } });
    f.cleanups.push(() => dispatcher.close());
    const h1 = await request(`https://localhost:${f.balancer.httpsPort}/h1`, { dispatcher });
    expect(h1.statusCode).toBe(200);
    await h1.body.dump();
  });
});

describe('WebSocket', () => {
  it('proxies an upgrade and echoes frames both ways; closes after the idle timeout', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    f.cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    let forwardedFor: string | undefined;
    wss.on('connection', (socket, req) => {
      forwardedFor = String(req.headers['x-forwarded-for']);
      socket.on('message', (data) => socket.send(`echo:${String(data)}`));
    });
    const wsPort = (wss.address() as AddressInfo).port;
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [`127.0.0.1:${wsPort}`] } },
      routes: [{ prefix: '/', upstream: 'default', websocketIdleTimeoutMs: 3000 }],
    });
    const client = new WebSocket(`ws://127.0.0.1:${f.balancer.port}/chat`);
    f.cleanups.push(() => client.terminate());
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const replies: string[] = [];
    client.on('message', (data) => replies.push(String(data)));
    client.send('hello');
    client.send('again');
    await waitFor(() => replies.length === 2, { what: 'two echoes' });
    expect(replies).toEqual(['echo:hello', 'echo:again']);
    expect(forwardedFor).toBe('127.0.0.1');
    let closed = false;
    client.once('close', () => (closed = true));
    await waitFor(() => closed, { what: 'idle close', timeoutMs: 30_000 });
  });
});
