import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { expectError, get, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';

/** The EDGE limits wired into the real server: 429, 413, 404, 431, plus static files. */
const f = useFixtures();

async function start(extra: Record<string, unknown>): Promise<number> {
  f.backends = [await startBackend('s1')];
  f.balancer = await startTestBalancer({ upstreams: { default: { servers: [f.backends[0]?.address] } }, ...extra });
  return f.balancer.port;
}

/** Raw request over one socket: returns the status line and body (for what clients refuse to send). */
function raw(port: number, payload: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (data += c));
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
    socket.on('error', reject);
  });
}

describe('limits through the server', () => {
  it('429 RATE_LIMITED with Retry-After past the rate, before any upstream work', async () => {
    const port = await start({ limits: { rateLimit: { rate: '1r/m', burst: 1, nodelay: true } } });
    expect((await get(port, '/')).status).toBe(200);
    expect((await get(port, '/')).status).toBe(200);
    const limited = await get(port, '/');
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(f.backends[0]?.hits).toBe(2);
  });

  it('413 BODY_TOO_LARGE for a declared and for a chunked body', async () => {
    const port = await start({ limits: { clientMaxBodySize: 100 } });
    expectError(await get(port, '/upload', { method: 'POST', body: 'x'.repeat(101) }), 413, 'BODY_TOO_LARGE');
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('x'.repeat(80));
      req.end('y'.repeat(80));
    });
    expect(chunked).toBe(413);
    expect(f.backends[0]?.hits).toBe(0);
    expect((await get(port, '/upload', { method: 'POST', body: 'ok' })).status).toBe(200);
  });

  it('404 NOT_FOUND for denied dotfiles and 404 NO_ROUTE outside every route', async () => {
    const port = await start({ routes: [{ prefix: '/api/', upstream: 'default' }] });
    expectError(await get(port, '/api/.env'), 404, 'NOT_FOUND');
    expectError(await get(port, '/elsewhere'), 404, 'NO_ROUTE');
    expect((await get(port, '/api/ok')).status).toBe(200);
    expect(f.backends[0]?.hits).toBe(1);
  });

  it('431 HEADERS_TOO_LARGE as JSON when the headers exceed maxHeaderSize', async () => {
    const port = await start({ limits: { maxHeaderSize: 1024 } });
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'HEADERS_TOO_LARGE' });
  });
});

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'fleet-static-'));
  writeFileSync(join(root, 'app.js'), 'console.log(1);\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves a prefix from a directory with cache headers and ETag, never the upstream', async () => {
    const port = await start({ static: [{ prefix: '/static/', root, maxAgeMs: 60_000 }] });
    const r = await get(port, '/static/app.js');
    expect(r.status).toBe(200);
    expect(r.text).toBe('console.log(1);\n');
    expect(r.headers['cache-control']).toContain('max-age=60');
    const etag = String(r.headers.etag);
    expect((await get(port, '/static/app.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
    // above the static root through escaped slashes: refused before any file is looked up (NGINX: 400)
    expect((await get(port, '/static/..%2f..%2fetc%2fpasswd')).status).toBe(400);
    expect(f.backends[0]?.hits).toBe(0);
  });
});
