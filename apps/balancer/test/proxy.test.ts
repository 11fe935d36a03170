import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startBackend, type Backend } from './helpers/backend.js';
import { useFixtures } from './helpers/fixtures.js';
import { waitFor } from './helpers/wait.js';
import { expectError, get, serverIds, startTestBalancer } from './helpers/balancer.js';
import { deadAddress } from './helpers/dead-address.js';

/** Next-upstream retries, timeouts, backups and header handling, against fixture upstreams. */
const f = useFixtures();


async function start(servers: string[], group: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<number> {
  f.balancer = await startTestBalancer({ upstreams: { default: { servers, ...group } }, ...extra });
  return f.balancer.port;
}

/** node:http client: undici refuses to send hop-by-hop headers at all. */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('next upstream', () => {
  it('retries a refused connection on the next peer, even for a non-idempotent method', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([await deadAddress(), f.backends[0]?.address ?? '']);
    for (let i = 0; i < 4; i++) {
      const r = await get(port, '/orders', { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      expect(r.json.server_id).toBe('s1');
      expect(r.json.body).toBe('{"n":1}');
    }
  });

  it('retries configured statuses for idempotent methods, relays them for POST unless the route opts in', async () => {
    f.backends = [await startBackend('s1'), await startBackend('s2')];
    const port = await start(f.backends.map((b) => `${b.address} max_fails=0`), {}, {
      routes: [
        { prefix: '/predict', upstream: 'default', retryNonIdempotent: true },
        { prefix: '/', upstream: 'default' },
      ],
    });
    // /status/503 fails on both peers: GET walks both (2 attempts), then relays the last 503.
    const before = f.backends.map((b) => b.hits);
    const g = await get(port, '/status/503');
    expect(g.status).toBe(503);
    expect(f.backends.map((b, i) => b.hits - (before[i] ?? 0))).toEqual([1, 1]);
    const hits = (): number => f.backends.reduce((n, b) => n + b.hits, 0);
    let h = hits();
    const p = await get(port, '/status/502', { method: 'POST', body: 'x' });
    expect(p.status).toBe(502);
    expect(p.json.server_id).toMatch(/^s[12]$/);
    expect(hits() - h).toBe(1);
    h = hits();
    const predict = await get(port, '/predict/status/502', { method: 'POST', body: 'x' });
    expect(predict.status).toBe(502);
    expect(hits() - h).toBe(2);
  });

  it('answers 502 NO_LIVE_UPSTREAM-style JSON when every peer is down', async () => {
    const port = await start([await deadAddress(), await deadAddress()]);
    expectError(await get(port, '/'), 502, 'UPSTREAM_CONNECT_FAILED');
    expectError(await get(port, '/'), 502, 'NO_LIVE_UPSTREAM');
  });

  it('times out slow upstream headers and fails over to a fast peer; 504 UPSTREAM_TIMEOUT when all are slow', async () => {
    f.backends = [await startBackend('slow'), await startBackend('fast')];
    const [slow, fast] = f.backends as [Backend, Backend];
    // headersMs is far above what the fast peer needs even on a loaded machine; the slow peer
    // never answers in time. Its first timeout ejects it (max_fails=1 for fail_timeout 10 s), so
    // only one request waits the full headers timeout; if the window ends first, the next pick
    // of it fails over again, which changes nothing below.
    slow.delayMs = 600_000;
    const port = await start([`${slow.address} max_fails=1`, `${fast.address} max_fails=0`], { timeouts: { headersMs: 2000 } });
    expect(await serverIds(port, 4)).toEqual(['fast', 'fast', 'fast', 'fast']);
    expect(slow.hits).toBeGreaterThan(0);
    fast.delayMs = 600_000;
    expectError(await get(port, '/'), 504, 'UPSTREAM_TIMEOUT');
  });

  it('uses the backup only when every primary is down', async () => {
    f.backends = [await startBackend('p1'), await startBackend('p2'), await startBackend('b1')];
    const [p1, p2, b1] = f.backends as [Backend, Backend, Backend];
    const port = await start([p1.address, p2.address, `${b1.address} backup`]);
    expect(new Set(await serverIds(port, 10))).toEqual(new Set(['p1', 'p2']));
    await p1.close();
    expect(new Set(await serverIds(port, 6))).toEqual(new Set(['p2']));
    await p2.close();
    expect(new Set(await serverIds(port, 6))).toEqual(new Set(['b1']));
    expect(b1.hits).toBeGreaterThan(0);
  });
});

describe('headers', () => {
  it('strips hop-by-hop headers and those named in Connection, both ways', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const r = await rawGet(port, '/', { connection: 'x-private, keep-alive', 'x-private': 'secret', 'keep-alive': 'timeout=5', 'x-end-to-end': 'yes', te: 'trailers', 'proxy-authorization': 'Basic eA==' });
    const seen = (JSON.parse(r.body) as { headers: Record<string, string> }).headers;
    expect(seen['x-private']).toBeUndefined();
    expect(seen['te']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['x-end-to-end']).toBe('yes');
    expect(r.headers['x-server-id']).toBe('s1');
    expect(r.headers['x-upstream-private']).toBeUndefined();
  });

  it('sets X-Forwarded-* and trusts incoming ones only from configured proxies', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const r = await get(port, '/', { headers: { 'x-forwarded-for': '203.0.113.9', host: 'api.example' } });
    const seen = r.json.headers as Record<string, string>;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-real-ip']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe('api.example');
    await f.balancer?.close(1000);
    f.balancer = await startTestBalancer({ upstreams: { default: { servers: [f.backends[0]?.address] } }, trustedProxies: ['127.0.0.0/8'] });
    const t = await get(f.balancer.port, '/', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const trusted = t.json.headers as Record<string, string>;
    expect(trusted['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(trusted['x-real-ip']).toBe('203.0.113.9');
  });
});

describe('client aborts', () => {
  it('releases the peer and the request when the client leaves mid-response', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /big?bytes=20000000 HTTP/1.1\r\nHost: x\r\n\r\n'));
        socket.once('data', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    }
    const b = f.balancer;
    await waitFor(() => {
      const peers = b?.upstreams.get('default')?.group.snapshot(0).peers ?? [];
      return peers.every((p) => p.inFlight === 0);
    }, { what: 'peer released' });
    await waitFor(async () => (await get(b?.adminPort ?? 0, '/status')).json.writing === 0, { what: 'no request left writing' });
  });
});

describe('response bodies', () => {
  it('relays a body far larger than the socket buffers intact (backpressure both ways)', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const size = 24_000_000;
    const received = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: `/big?bytes=${size}`, agent: false }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n % 8 === 0) res.pause(); // a slow reader
          setImmediate(() => res.resume());
        });
        res.on('end', () => resolve(n));
        res.on('error', reject);
      });
    });
    expect(received).toBe(size);
  });
});

describe('request bodies', () => {
  it('streams bodies upstream when request buffering is off', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? ''], {}, { requestBuffering: false });
    const body = 'x'.repeat(200_000);
    const r = await get(port, '/upload', { method: 'PUT', body });
    expect(r.status).toBe(200);
    expect((r.json.body as string).length).toBe(body.length);
  });
});
