import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { expectError, get, startTestBalancer } from './helpers/balancer.js';
import { deadAddress } from './helpers/dead-address.js';
import { useFixtures } from './helpers/fixtures.js';
import { rawExchange } from './helpers/raw-http.js';
import { startRawUpstream } from './helpers/raw-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * The same client-facing behaviour on both plain listeners (`listen.server: node`, node:http,
 * and `engine`, the engine's client half): body and X-Forwarded-* relayed, the request id on
 * the answer and in the access log, 429 and 413 (declared and chunked), a refused peer retried,
 * HEAD / 204 / a chunked upstream body framed right, and the drain on shutdown.
 */
const f = useFixtures();

describe.each(['node', 'engine'] as const)('plain listener on %s', (server) => {
  async function start(servers: string[], extra: Record<string, unknown> = {}): Promise<number> {
    f.balancer = await startTestBalancer({ listen: { host: '127.0.0.1', port: 0, server }, upstreams: { default: { servers } }, ...extra });
    return f.balancer.port;
  }

  it('relays a POST body and the answer with X-Forwarded-For and the request id, and counts it', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const r = await get(port, '/echo?x=1', { method: 'POST', body: 'payload' });
    const sent = r.json.headers as Record<string, string>;
    expect([r.status, r.json.body, r.json.url, sent['x-forwarded-for']]).toEqual([200, 'payload', '/echo?x=1', '127.0.0.1']);
    expect(r.headers['x-request-id']).toBe(sent['x-request-id']);
    const metrics = (await get(f.balancer?.adminPort ?? 0, '/metrics')).text;
    expect(metrics).toMatch(/fleet_balancer_responses_total\{route="\/",status="200"\} 1\n/);
  });

  it('answers 429 past the rate and 413 to declared and chunked bodies over the limit', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? ''], { limits: { clientMaxBodySize: 100, rateLimit: { rate: '1r/m', burst: 5, nodelay: true } } });
    expectError(await get(port, '/upload', { method: 'POST', body: 'x'.repeat(101) }), 413, 'BODY_TOO_LARGE');
    const chunked = await rawExchange(port, `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n${'x'.repeat(80)}\r\n50\r\n${'y'.repeat(80)}\r\n0\r\n\r\n`);
    expect([chunked.status, JSON.parse(chunked.body).code]).toEqual([413, 'BODY_TOO_LARGE']);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(port, '/ok')).status);
    expect(statuses).toContain(200);
    expect(statuses.at(-1)).toBe(429);
    expectError(await get(port, '/'), 429, 'RATE_LIMITED');
    expect(f.backends[0]?.hits).toBe(statuses.filter((s) => s === 200).length);
  });

  it('a request line past maxHeaderSize is 414 URI_TOO_LONG (as NGINX); an oversized header field stays 431', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const line = await rawExchange(port, `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect([line.status, JSON.parse(line.body).code]).toEqual([414, 'URI_TOO_LONG']);
    expect(JSON.parse(line.body).message).toContain('limits.maxHeaderSize');
    const field = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect([field.status, JSON.parse(field.body).code]).toEqual([431, 'HEADERS_TOO_LARGE']);
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('retries a refused peer on the next one', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([await deadAddress(), f.backends[0]?.address ?? '']);
    for (let i = 0; i < 3; i++) expect((await get(port, '/a')).json.server_id).toBe('s1');
  });

  it('frames HEAD, 204 and a chunked upstream body right on a kept-alive connection', async () => {
    const up = await startRawUpstream((s, req) => {
      if (req.text.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n');
      else if (req.text.startsWith('DELETE')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
      else s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    });
    f.cleanups.push(() => up.close());
    const routes = ['/h', '/d', '/c'].map((prefix) => ({ prefix, upstream: 'default' }));
    const port = await start([`127.0.0.1:${up.port}`], { routes });
    const four = ['HEAD /none', 'HEAD /h', 'DELETE /d', 'GET /c'].map((line) => `${line} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
    const r = await rawExchange(port, four, { until: (raw) => raw.endsWith('\r\n0\r\n\r\n') });
    const heads = r.raw.split(/(?=HTTP\/1\.1 )/);
    expect(heads.map((h) => /^HTTP\/1\.1 (\d{3})/.exec(h)?.[1])).toEqual(['404', '200', '204', '200']);
    expect(heads[1]).toMatch(/content-length: 42\r\n/i);
    // No body after a HEAD answer (the balancer's own JSON error included) nor after a 204.
    for (const h of heads.slice(0, 3)) expect(h.endsWith('\r\n\r\n')).toBe(true);
    expect(heads[3]).toMatch(/transfer-encoding: chunked\r\n/i);
    expect(heads[3]).toMatch(/\r\n\r\n[^]*hello[^]* world\r\n0\r\n\r\n$/);
  });

  it('a client that leaves mid-body is no uncaught error, however soon the relay lets go of the request', async () => {
    // node:http fails the request ('aborted') when its socket closes, counts the request's error
    // listeners one tick later and emits one tick after that; the relay of a streamed body lets go
    // in between (the walk ends with the client's close). Without a listener left, the error is
    // uncaught: in the balancer, the process exits. The engine keeps one (`failRequest`).
    const uncaught: unknown[] = [];
    const record = (err: unknown): void => void uncaught.push(err);
    process.on('uncaughtException', record);
    f.cleanups.push(() => void process.off('uncaughtException', record));
    const up = await startRawUpstream(() => undefined);
    f.cleanups.push(() => up.close());
    const port = await start([`127.0.0.1:${up.port}`], { requestBuffering: false });
    for (let i = 1; i <= 3; i++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'a'.repeat(1000)}`);
      await waitFor(() => up.connections.opened === i, { what: 'the upstream request' });
      socket.destroy();
      await waitFor(() => up.connections.closed === i, { what: 'the upstream connection closed' });
      await new Promise((resolve) => setImmediate(resolve)); // past node's count and emit ticks
    }
    expect(uncaught).toEqual([]);
    expect(up.requests).toHaveLength(0);
  });

  it('drains on shutdown: the request in flight is answered, then the connection closes', async () => {
    f.backends = [await startBackend('s1')];
    const port = await start([f.backends[0]?.address ?? '']);
    const pending = rawExchange(port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n', { until: () => false });
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the held request upstream' });
    const closing = f.balancer?.close(5000);
    await waitFor(async () => {
      f.backends[0]?.releaseHeld();
      return true;
    });
    const r = await pending;
    await closing;
    f.balancer = undefined;
    expect([r.status, r.closed]).toEqual([200, true]);
    expect(r.body).toContain('"url":"/hold"');
  });
});

/**
 * Which listener serves when `listen.server` is unset (the engine), told apart by the one thing
 * the two write differently: the case of the header names in the answer head. The engine writes
 * the names it adds lower-case (`connection`, `keep-alive`, `transfer-encoding`, `date`, as
 * `response-head.ts` builds them); node:http writes its own `Connection`, `Keep-Alive`,
 * `Transfer-Encoding`, `Date` capitalised (the relayed upstream names are lower-case on both, so
 * the upstream's own `date` is not the tell). HTTP header names are case-insensitive; only a
 * client that compares them exactly sees the difference.
 */
describe('the default plain listener', () => {
  async function headOf(listen: Record<string, unknown>): Promise<string> {
    f.backends = [await startBackend('s1')];
    f.balancer = await startTestBalancer({ listen: { host: '127.0.0.1', port: 0, ...listen }, upstreams: { default: { servers: [f.backends[0]?.address ?? ''] } } });
    const r = await rawExchange(f.balancer.port, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(200);
    return r.head;
  }

  it('is the engine when listen.server is unset: lower-case names in the answer head', async () => {
    const head = await headOf({});
    expect(head).toMatch(/\r\nconnection: keep-alive\r\nkeep-alive: timeout=\d+(\r\n|$)/);
    expect(head).not.toMatch(/\r\n(Connection|Keep-Alive|Transfer-Encoding): /);
  });

  it('is node:http with listen.server: node: its own names capitalised', async () => {
    const head = await headOf({ server: 'node' });
    expect(head).toMatch(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=\d+(\r\n|$)/);
  });
});
