import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BalancerDeps } from '../src/app.js';
import { startBackend } from './helpers/backend.js';
import { get, startTestBalancer, testConfig } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { h2Connect, h2Request } from './helpers/h2.js';
import { capturedLogger, lineSink } from './helpers/lines.js';
import { requestFrom } from './helpers/from-address.js';
import { rawExchange } from './helpers/raw-http.js';
import { answer, startScriptedUpstream } from './helpers/scripted-upstream.js';
import { makeTestCert } from './helpers/tls.js';
import { waitFor } from './helpers/wait.js';

/**
 * handler.ts through the real server, on both plain listeners and both upstream clients: what
 * the pipeline answers itself (a malformed target, `OPTIONS *`, a body over the limit), which
 * requests carry a body upstream, the stub_status reading/writing counts, and what each answer
 * leaves in the access log, the metrics and the log.
 */
const f = useFixtures();
const tls = makeTestCert();
afterAll(() => tls.cleanup());

const LISTENERS = ['node', 'engine'] as const;
const CLIENTS = ['engine', 'undici'] as const;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

async function backend(): Promise<string> {
  f.backends.push(await startBackend(`s${f.backends.length + 1}`));
  return f.backends[f.backends.length - 1]?.address ?? '';
}

function stub(): Promise<{ active: number; reading: number; writing: number; requests: number }> {
  return get(f.balancer?.adminPort ?? 0, '/status').then((r) => r.json as never);
}

describe.each(LISTENERS.flatMap((listener) => CLIENTS.map((client) => [listener, client] as const)))('listener %s, upstream client %s', (listener, client) => {
  async function start(raw: Record<string, unknown> = {}, deps: Partial<BalancerDeps> = {}): Promise<number> {
    const servers = [await backend()];
    f.balancer = await startTestBalancer({ listen: { host: '127.0.0.1', port: 0, server: listener }, upstreams: { default: { servers, client } }, ...raw }, deps);
    return f.balancer.port;
  }

  it('answers of its own, logged and counted: a malformed target 400, outside every route 404, a static file with its status', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fleet-handler-static-'));
    f.cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, 'app.js'), 'console.log(1);\n');
    const sink = lineSink();
    const routes = [{ prefix: '/api', upstream: 'default' }];
    const port = await start({ accessLog: { enabled: true }, routes, static: [{ prefix: '/static/', root }] }, { accessLogDestination: sink.stream });
    const r = await rawExchange(port, 'GET http://a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'BAD_REQUEST', message: 'malformed request target' });
    const none = await get(port, '/elsewhere');
    expect([none.status, none.json.code, none.json.message]).toEqual([404, 'NO_ROUTE', 'no route for this path']);
    expect((await get(port, '/static/app.js')).status).toBe(200);
    expect((await get(port, '/static/missing.js')).status).toBe(404);
    expect(f.backends[0]?.hits).toBe(0);
    await waitFor(() => sink.lines.length === 4, { what: 'four access log lines' });
    expect(sink.lines.map((l) => [l.path, l.status, Object.keys(l).includes('route'), Object.keys(l).includes('upstream'), l.attempts])).toEqual([
      ['http://a:99999/', 400, false, false, []],
      ['/elsewhere', 404, false, false, []],
      ['/static/app.js', 200, false, false, []],
      ['/static/missing.js', 404, false, false, []],
    ]);
    const metrics = (await get(f.balancer?.adminPort ?? 0, '/metrics')).text;
    expect(metrics).toContain('fleet_balancer_responses_total{route="-",status="400"} 1\n');
    expect(metrics).toContain('fleet_balancer_responses_total{route="-",status="404"} 2\n');
  });

  it('a body goes upstream only when the request has one: none for GET, a chunked upload whole with its length, Content-Length: 0 empty', async () => {
    const port = await start();
    const echo = (r: { body: string }) => JSON.parse(r.body) as { body: string; headers: Record<string, string | undefined> };
    const gr = await rawExchange(port, 'GET /g HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(gr.headers.connection).not.toBe('close'); // kept alive: the balancer is not draining
    const g = echo(gr);
    expect([g.headers['content-length'], g.headers['transfer-encoding'], g.body]).toEqual([undefined, undefined, '']);
    const chunked = echo(await rawExchange(port, 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n'));
    expect([chunked.headers['content-length'], chunked.headers['transfer-encoding'], chunked.body]).toEqual(['4', undefined, 'abcd']);
    const empty = echo(await rawExchange(port, 'POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'));
    expect([empty.headers['content-length'], empty.body]).toEqual(['0', '']);
    // The buffered bodies' memory reservations are given back once each exchange is over.
    const metric = async (): Promise<string | undefined> => /fleet_balancer_request_body_memory_bytes (\d+)\n/.exec((await get(f.balancer?.adminPort ?? 0, '/metrics')).text)?.[1];
    await waitFor(async () => (await metric()) === '0', { what: 'the body memory given back' });
  });

  it('stub_status counts a request as reading while its body arrives, as writing while it is proxied, and neither after', async () => {
    const port = await start();
    const socket = net.connect(port, '127.0.0.1');
    f.cleanups.push(() => void socket.destroy());
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.write('POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab');
    await waitFor(async () => (await stub()).reading === 1, { what: 'reading 1 while the body arrives' });
    expect((await stub()).writing).toBe(0);
    socket.write('cd');
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the request at the upstream' });
    expect(await stub()).toMatchObject({ reading: 0, writing: 1, requests: 1 });
    f.backends[0]?.releaseHeld();
    await waitFor(() => answer.includes('"body":"abcd"'), { what: 'the answer' });
    await waitFor(async () => (await stub()).writing === 0, { what: 'writing 0 once answered' });
    expect((await stub()).reading).toBe(0);
  });

  it('access log: the injected clock’s duration, the trusted client address, the trace it continued, route and upstream', async () => {
    let t = 1000;
    const sink = lineSink();
    const port = await start({ accessLog: { enabled: true }, trustedProxies: ['127.0.0.1'] }, { accessLogDestination: sink.stream, now: () => t });
    const pending = get(port, '/hold?x=1', {
      method: 'PUT',
      body: 'b',
      headers: { 'x-forwarded-for': '203.0.113.9', traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the request at the upstream' });
    t += 250;
    f.backends[0]?.releaseHeld();
    const r = await pending;
    expect(r.status).toBe(200);
    const line = await waitFor(() => sink.lines.find((l) => l.path === '/hold?x=1'), { what: 'the access log line' });
    expect(line).toMatchObject({ method: 'PUT', status: 200, durationMs: 250, clientIp: '203.0.113.9', traceId: TRACE_ID, parentId: PARENT_ID, route: '/', upstream: 'default' });
    expect(line.requestId).toBe(r.headers['x-request-id']);
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
    expect(Object.keys(line)).not.toContain('tunnel');
    expect((line.attempts as Record<string, unknown>[]).map((a) => [a.status, a.durationMs])).toEqual([[200, 250]]);
    const metrics = (await get(f.balancer?.adminPort ?? 0, '/metrics')).text;
    expect(metrics).toContain('fleet_balancer_responses_total{route="/",status="200"} 1\n');
  });

  it('OPTIONS * is logged 200; one whose client leaves before the request ended is logged 499', async () => {
    const sink = lineSink();
    const port = await start({ accessLog: { enabled: true } }, { accessLogDestination: sink.stream });
    const r = await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect([r.status, r.headers.allow, r.headers['content-length'], r.body]).toEqual([200, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS', '0', '']);
    await waitFor(() => sink.lines.length === 1, { what: 'the first access log line' });
    const socket = net.connect(port, '127.0.0.1', () => socket.write('OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc'));
    f.cleanups.push(() => void socket.destroy());
    await waitFor(async () => (await stub()).requests === 2, { what: 'the second OPTIONS * at the balancer' });
    socket.destroy();
    await waitFor(() => sink.lines.length === 2, { what: 'the second access log line' });
    await f.balancer?.close(1000); // flushes the log: nothing else may follow
    expect(sink.lines.map((l) => [l.method, l.path, l.status])).toEqual([
      ['OPTIONS', '*', 200],
      ['OPTIONS', '*', 499],
    ]);
  });

  it('OPTIONS * with a malformed message pipelined behind it: the 400 goes out alone and is what the access log records', async () => {
    const sink = lineSink();
    const port = await start({ accessLog: { enabled: true } }, { accessLogDestination: sink.stream });
    const r = await rawExchange(port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n{"text":"x"}', { until: () => false });
    expect([r.closed, r.status, r.raw.match(/HTTP\/1\.1 /g)?.length]).toEqual([true, 400, 1]);
    await waitFor(() => sink.lines.length === 1, { what: 'the access log line' });
    await f.balancer?.close(1000); // flushes the log: nothing else may follow
    expect(sink.lines.map((l) => [l.method, l.path, l.status])).toEqual([['OPTIONS', '*', 400]]);
    f.balancer = undefined;
  });

  it('a body over clientMaxBodySize: 413 with Connection: close; a client leaving mid-body is logged at debug', async () => {
    const log = capturedLogger('debug');
    const port = await start({ limits: { clientMaxBodySize: '10' } }, { logger: log.logger });
    const big = await rawExchange(port, 'POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    expect([big.status, JSON.parse(big.body).code, big.headers.connection]).toEqual([413, 'BODY_TOO_LARGE', 'close']);
    const socket = net.connect(port, '127.0.0.1', () => socket.write('POST /gone HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc'));
    f.cleanups.push(() => void socket.destroy());
    await waitFor(async () => (await stub()).reading === 1, { what: 'the body being read' });
    socket.destroy();
    const line = await waitFor(() => log.lines.find((l) => l.code === 'CLIENT_CLOSED_REQUEST'), { what: 'the debug line' });
    expect(line).toMatchObject({ level: 20, url: '/gone' });
    expect(log.lines.filter((l) => l.code === 'BODY_TOO_LARGE')).toEqual([]); // only a client that left is logged
    expect(f.backends[0]?.hits).toBe(0);
  });
  it('a rate-limit delay holds the request before any upstream work while other clients pass, then serves it', async () => {
    // 30 r/m, burst 5, no nodelay: a client's second request at once waits 2 s (NGINX limit_req burst).
    const port = await start({ limits: { rateLimit: { rate: '30r/m', burst: 5 } } });
    const be = f.backends[0];
    if (be === undefined) throw new Error('backend');
    expect((await requestFrom('127.0.0.1', port, '/one')).status).toBe(200);
    const delayed = requestFrom('127.0.0.1', port, '/two');
    await waitFor(async () => (await stub()).requests === 2, { what: 'the second request at the balancer' });
    const other = await requestFrom('127.0.0.2', port, '/three');
    expect(other.status).toBe(200);
    expect([be.hits, other.json.url]).toEqual([2, '/three']); // /two has not reached the upstream yet
    const late = await delayed;
    expect([late.status, late.json.url, be.hits]).toEqual([200, '/two', 3]);
  });

  it('a request whose head completes while the balancer drains is not kept alive: answered with Connection: close (node listener) or closed (engine)', async () => {
    const port = await start();
    const held = rawExchange(port, 'GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the held request upstream' });
    // A second connection in the middle of its head: not idle, so node's drain leaves it open.
    let late = '';
    let closed = false;
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /late HTTP/1.1\r\nHost: x\r\n'));
    f.cleanups.push(() => void socket.destroy());
    socket.on('data', (c: Buffer) => (late += c.toString()));
    socket.on('close', () => (closed = true));
    await waitFor(async () => (await stub()).active === 2, { what: 'the second connection accepted' });
    const closing = f.balancer?.close(5000);
    socket.write('\r\n');
    await waitFor(() => closed, { what: 'the second connection closed' });
    if (listener === 'node') {
      expect(late).toContain('"url":"/late"');
      expect(late.toLowerCase()).toContain('\r\nconnection: close\r\n');
    }
    f.backends[0]?.releaseHeld();
    expect((await held).status).toBe(200);
    await closing;
    f.balancer = undefined;
  });

  it('a body temp dir deleted at run time: made again (warned), or refused 500 when it cannot be (logged as an error); both counted', async () => {
    const log = capturedLogger('info');
    const temp = mkdtempSync(join(tmpdir(), 'fleet-handler-temp-'));
    f.cleanups.push(() => rmSync(temp, { recursive: true, force: true }));
    const port = await start({ limits: { clientBodyTempPath: temp, clientBodyBufferSize: '1k' } }, { logger: log.logger });
    const post = (): ReturnType<typeof get> => get(port, '/upload', { method: 'POST', body: 'x'.repeat(4096) });
    rmSync(temp, { recursive: true });
    expect((await post()).status).toBe(200);
    rmSync(temp, { recursive: true });
    writeFileSync(temp, 'a file where the directory was');
    expect((await post()).json.code).toBe('CLIENT_BODY_TEMP_PATH_UNUSABLE');
    const lines = log.lines.filter((l) => String(l.code).startsWith('CLIENT_BODY_TEMP_PATH'));
    expect(lines.map((l) => [l.level, l.code, l.dir])).toEqual([
      [40, 'CLIENT_BODY_TEMP_PATH_RECREATED', temp],
      [50, 'CLIENT_BODY_TEMP_PATH_UNUSABLE', temp],
    ]);
    for (const l of lines) expect(typeof l.reason === 'string' && typeof l.msg === 'string' && l.msg.includes('limits.clientBodyTempPath')).toBe(true);
    const metrics = (await get(f.balancer?.adminPort ?? 0, '/metrics')).text;
    expect(metrics).toContain('fleet_balancer_local_errors_total{code="CLIENT_BODY_TEMP_PATH_RECREATED"} 1\n');
    expect(metrics).toContain('fleet_balancer_local_errors_total{code="CLIENT_BODY_TEMP_PATH_UNUSABLE"} 1\n');
  });
});

describe.each(LISTENERS.flatMap((listener) => CLIENTS.map((client) => [listener, client] as const)))('reload, listener %s, upstream client %s', (listener, client) => {
  it('a group a reload removed is closed once the last request that started before the reload has finished, not before', async () => {
    const [old, next] = await Promise.all([startScriptedUpstream('old'), startScriptedUpstream('next')]);
    f.cleanups.push(() => old.close(), () => next.close());
    old.onRequest = () => undefined; // held until the reload is done
    const raw = (group: string, server: string) => ({
      listen: { host: '127.0.0.1', port: 0, server: listener },
      routes: [{ prefix: '/', upstream: group }],
      // Idle upstream connections kept longer than any wait here: only closing the group closes one.
      upstreams: { [group]: { servers: [server], client, keepalive: { idleTimeoutMs: 120_000 } } },
    });
    f.balancer = await startTestBalancer(raw('default', old.address));
    const pending = get(f.balancer.port, '/x');
    const held = await waitFor(() => old.exchanges[0], { what: 'the request at the old group' });
    await f.balancer.reload(testConfig(raw('other', next.address)));
    expect((await get(f.balancer.port, '/y')).status).toBe(200); // served by the new group meanwhile
    expect(old.connections).toEqual({ opened: 1, closed: 0 });
    await answer(old, held, 200);
    expect((await pending).status).toBe(200);
    // The old group's pool goes with the old snapshot's last request: its kept-alive connection closes.
    await waitFor(() => old.connections.closed === 1, { what: 'the removed group closed' });
  });
});

describe.each(CLIENTS)('HTTP/2, upstream client %s', (client) => {
  it('OPTIONS * is answered 200 with Allow; one whose stream the client resets before its end is logged 499, not answered', async () => {
    const sink = lineSink();
    f.balancer = await startTestBalancer(
      { upstreams: { default: { servers: [await backend()], client } }, https: { port: 0, cert: tls.cert, key: tls.key, http2: true }, accessLog: { enabled: true } },
      { accessLogDestination: sink.stream },
    );
    const session = h2Connect(f.balancer.httpsPort, tls.cert);
    f.cleanups.push(() => void session.destroy());
    const ok = await h2Request(session, { ':method': 'OPTIONS', ':path': '*' });
    expect([ok.status, ok.body]).toEqual([200, '']);
    await waitFor(() => sink.lines.length === 1, { what: 'the first access log line' });
    const stream = session.request({ ':method': 'OPTIONS', ':path': '*', 'content-length': '10' }, { endStream: false });
    let answered = false;
    stream.on('response', () => (answered = true));
    stream.on('error', () => undefined);
    stream.write('abc');
    await waitFor(async () => (await stub()).requests === 2, { what: 'the second OPTIONS * at the balancer' });
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await waitFor(() => sink.lines.length === 2, { what: 'the second access log line' });
    await f.balancer.close(1000); // flushes the log: nothing else may follow
    f.balancer = undefined;
    expect(sink.lines.map((l) => [l.method, l.path, l.status])).toEqual([
      ['OPTIONS', '*', 200],
      ['OPTIONS', '*', 499],
    ]);
    expect([answered, f.backends[0]?.hits]).toEqual([false, 0]);
  });

  it('a GET carries no body upstream, a POST its whole body; a body over the limit is a JSON 413 (no Connection header on HTTP/2)', async () => {
    const servers = [await backend()];
    f.balancer = await startTestBalancer({
      upstreams: { default: { servers, client } },
      https: { port: 0, cert: tls.cert, key: tls.key, http2: true },
      limits: { clientMaxBodySize: '10' },
    });
    const session = h2Connect(f.balancer.httpsPort, tls.cert);
    f.cleanups.push(() => void session.destroy());
    const echo = (r: { body: string }) => JSON.parse(r.body) as { body: string; method: string; headers: Record<string, string | undefined> };
    const g = echo(await h2Request(session, { ':path': '/g' }));
    expect([g.method, g.headers['content-length'], g.headers['transfer-encoding'], g.body]).toEqual(['GET', undefined, undefined, '']);
    const p = echo(await h2Request(session, { ':path': '/p', ':method': 'POST' }, 'hello'));
    expect([p.method, p.headers['content-length'], p.body]).toEqual(['POST', '5', 'hello']);
    const big = await h2Request(session, { ':path': '/big', ':method': 'POST', 'content-length': '20' }, 'x'.repeat(20));
    expect([big.status, JSON.parse(big.body).code]).toEqual([413, 'BODY_TOO_LARGE']);
    expect(f.backends[0]?.hits).toBe(2);
  });
});
