import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackend } from './helpers/backend.js';
import { get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { rawExchange } from './helpers/raw-http.js';
import { makeTestCert } from './helpers/tls.js';

/**
 * Every answer the client listeners give carries `X-Request-Id` (README "Request ids and trace
 * context"): the balancer's own JSON errors (with `requestId` in the body too), errors the
 * HTTP parser raises before there is a request, refused and accepted upgrades, HTTP/2.
 */
const f = useFixtures();
const tls = makeTestCert();
afterAll(() => tls.cleanup());
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function expectIdInHeaderAndBody(headers: Record<string, unknown>, json: Record<string, unknown>): void {
  expect(String(headers['x-request-id'])).toMatch(UUID);
  expect(json.requestId).toBe(headers['x-request-id']);
}

describe('X-Request-Id on the balancer’s own answers', () => {
  it('on 502, 429 and 413 JSON errors, in the header and the body', async () => {
    const backend = await startBackend('s1');
    f.backends = [backend];
    f.balancer = await startTestBalancer({
      upstreams: {
        default: { servers: [`${backend.address} max_conns=1`], timeouts: { headersMs: 100 }, nextUpstream: { tries: 1 } },
        dead: { servers: ['127.0.0.1:1'] },
      },
      routes: [
        { prefix: '/dead', upstream: 'dead' },
        { prefix: '/api/', upstream: 'default' },
      ],
      limits: { clientMaxBodySize: '10', rateLimit: { rate: '1r/m', burst: 0 } },
    });
    const port = f.balancer.port;
    // The first request of this client passes the limiter (1r/m): a 502 from the dead group.
    const dead = await get(port, '/dead');
    expect([dead.status, dead.json.code]).toEqual([502, 'UPSTREAM_CONNECT_FAILED']);
    expectIdInHeaderAndBody(dead.headers, dead.json);
    const limited = await get(port, '/api/x');
    expect([limited.status, limited.json.code]).toEqual([429, 'RATE_LIMITED']);
    expectIdInHeaderAndBody(limited.headers, limited.json);
    const big = await get(port, '/api/big', { method: 'POST', body: 'x'.repeat(100) });
    expect([big.status, big.json.code]).toEqual([413, 'BODY_TOO_LARGE']);
    expectIdInHeaderAndBody(big.headers, big.json);
  });

  it('on 503 ALL_UPSTREAMS_BUSY and 504 UPSTREAM_TIMEOUT', async () => {
    const backend = await startBackend('s1');
    f.backends = [backend];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [`${backend.address} max_conns=1 max_fails=0`], timeouts: { headersMs: 200 }, nextUpstream: { tries: 1 } } },
    });
    const slow = get(f.balancer.port, '/slow?ms=1000');
    const busy = await (async () => {
      for (;;) {
        const r = await get(f.balancer?.port ?? 0, '/x');
        if (r.status === 503) return r;
      }
    })();
    expect(busy.json.code).toBe('ALL_UPSTREAMS_BUSY');
    expectIdInHeaderAndBody(busy.headers, busy.json);
    const timedOut = await slow;
    expect([timedOut.status, timedOut.json.code]).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expectIdInHeaderAndBody(timedOut.headers, timedOut.json);
  });

  it('on answers written before there is a request (a parser error), a missing Host, CONNECT, an unknown Expect', async () => {
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: ['127.0.0.1:1'] } } });
    const port = f.balancer.port;
    for (const [payload, status] of [
      ['GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\n\r\n', 400],
      ['CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n', 405],
      ['GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n', 417],
    ] as const) {
      const r = await rawExchange(port, payload);
      expect(r.status).toBe(status);
      expectIdInHeaderAndBody(r.headers, JSON.parse(r.body) as Record<string, unknown>);
    }
  });

  it('on a refused upgrade and on a 101, which does not pass on the peer’s own id', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    f.cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    let seen: string | undefined;
    wss.on('headers', (headers, req) => {
      seen = String(req.headers['x-request-id']);
      headers.push('X-Request-Id: peer-made-this');
    });
    const address = wss.address() as { port: number };
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [`127.0.0.1:${address.port}`] } },
      routes: [{ prefix: '/', upstream: 'default' }],
    });
    const ws = new WebSocket(`ws://127.0.0.1:${f.balancer.port}/ws`);
    f.cleanups.push(() => ws.terminate());
    const upgrade = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers));
      ws.once('error', reject);
    });
    expect(String(upgrade['x-request-id'])).toMatch(UUID);
    expect(upgrade['x-request-id']).toBe(seen);
    const refused = await rawExchange(f.balancer.port, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(refused.status).toBe(400);
    expectIdInHeaderAndBody(refused.headers, JSON.parse(refused.body) as Record<string, unknown>);
  });

  it('over HTTP/2 and on the HTTP→HTTPS redirect; HTTP/1.1 without Host on the HTTP/2 listener gets the JSON 400 (BAD_REQUEST naming Host)', async () => {
    const backend = await startBackend('s1');
    f.backends = [backend];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers: [backend.address] } },
      https: { port: 0, cert: tls.cert, key: tls.key, http2: true, redirectHttp: true },
    });
    const httpsPort = f.balancer.httpsPort ?? 0;
    const redirect = await get(f.balancer.port, '/x', { headers: { host: 'localhost' } });
    expect(redirect.status).toBe(301);
    expect(String(redirect.headers['x-request-id'])).toMatch(UUID);
    const session = http2.connect(`https://localhost:${httpsPort}`, { ca: readFileSync(tls.cert) });
    f.cleanups.push(() => session.destroy());
    const h2 = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const stream = session.request({ ':path': '/h2' });
      stream.on('response', (h) => {
        stream.resume();
        resolve(h);
      });
      stream.on('error', reject);
      stream.end();
    });
    expect(h2[':status']).toBe(200);
    expect(String(h2['x-request-id'])).toMatch(UUID);
    expect(backend.lastHeaders?.['x-request-id']).toBe(h2['x-request-id']);

    const { connect } = await import('node:tls');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect({ port: httpsPort, host: '127.0.0.1', ALPNProtocols: ['http/1.1'], ca: readFileSync(tls.cert), servername: 'localhost' }, () =>
        socket.write('GET / HTTP/1.1\r\n\r\n'),
      );
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (text += c));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(body)).toMatchObject({ code: 'BAD_REQUEST', message: 'missing Host header' });
  });
});
