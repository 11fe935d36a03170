import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { startBackend } from './helpers/backend.js';
import { adminStatus, startTestBalancer } from './helpers/balancer.js';
import { useFixtures } from './helpers/fixtures.js';
import { rawExchange, responses } from './helpers/raw-http.js';
import { startRawUpstream } from './helpers/raw-upstream.js';
import { waitFor } from './helpers/wait.js';

/**
 * The engine's client half (`listen.server: engine`, src/engine/client/) on raw sockets: keep-alive
 * and pipelined requests answered in order on one connection, the client limits (408 on a slow
 * head, 431 on an oversized one, 400 and close on a smuggling attempt), a client leaving mid-body
 * (the upstream request is aborted, nothing stays in flight), backpressure on a client that does
 * not read (the upstream is paused, memory bounded), and the heads handed to node:http on a
 * connection the engine served before (Expect: 100-continue, OPTIONS *).
 */
const f = useFixtures();

async function start(extra: Record<string, unknown> = {}, servers?: string[]): Promise<number> {
  if (servers === undefined) f.backends = [await startBackend('s1')];
  const upstream = servers ?? [f.backends[0]?.address ?? ''];
  f.balancer = await startTestBalancer({ listen: { host: '127.0.0.1', port: 0, server: 'engine' }, upstreams: { default: { servers: upstream, nextUpstream: { tries: 1 } } }, ...extra });
  return f.balancer.port;
}

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

/** Status and echoed URL of every response (the backend answers JSON with the URL it got). */
function answers(raw: string): { status: number; url: string }[] {
  return responses(raw).map((r) => ({ status: r.status, url: r.status === 200 ? String((JSON.parse(r.body) as { url?: string }).url) : '' }));
}

/** A kept-open client connection and everything it has received so far. */
function connection(port: number): { socket: net.Socket; raw: () => string; drop: (text: string) => void } {
  const socket = net.connect(port, '127.0.0.1');
  let raw = '';
  socket.setEncoding('latin1');
  socket.on('data', (c: string) => (raw += c));
  f.cleanups.push(() => void socket.destroy());
  return { socket, raw: () => raw, drop: (text) => (raw = raw.replace(text, '')) };
}

const count = (n: number) => (raw: string) => answers(raw).length >= n;

describe('engine listener (client half of the engine)', () => {
  it('answers keep-alive requests one after the other on one connection', async () => {
    const port = await start();
    const { socket, raw } = connection(port);
    for (const path of ['/one', '/two', '/three']) {
      const before = answers(raw()).length;
      socket.write(GET(path));
      await waitFor(() => answers(raw()).length > before, { what: `answer to ${path}` });
    }
    expect(answers(raw())).toEqual(['/one', '/two', '/three'].map((url) => ({ status: 200, url })));
    expect(socket.destroyed).toBe(false);
  });

  it('while draining, closes idle connections at once and answers a head still arriving with Connection: close (as node:http does)', async () => {
    const port = await start();
    const held = rawExchange(port, GET('/hold'));
    await waitFor(() => f.backends[0]?.hits === 1, { what: 'the held request upstream' });
    const late = connection(port);
    late.socket.write('GET /late HTTP/1.1\r\nHost: x\r\n');
    const idle = connection(port);
    idle.socket.write(GET('/first'));
    await waitFor(() => answers(idle.raw()).length === 1, { what: 'the idle connection answered once' });
    let idleClosed = false;
    idle.socket.on('close', () => (idleClosed = true));
    const closing = f.balancer?.close(5000);
    await waitFor(() => idleClosed, { what: 'the idle connection closed by the drain' });
    expect(late.socket.destroyed).toBe(false);
    late.socket.write('\r\n');
    await waitFor(() => responses(late.raw()).length === 1, { what: 'the late head answered' });
    const [answer] = responses(late.raw());
    expect([answer?.status, answer?.headers.connection, JSON.parse(answer?.body ?? '{}').url]).toEqual([200, 'close', '/late']);
    f.backends[0]?.releaseHeld();
    expect((await held).status).toBe(200);
    await closing;
    f.balancer = undefined;
  });

  it('answers two and three pipelined requests sent in one write, in order', async () => {
    const port = await start();
    const two = await rawExchange(port, GET('/a') + GET('/b'), { until: count(2) });
    expect(answers(two.raw)).toEqual([{ status: 200, url: '/a' }, { status: 200, url: '/b' }]);
    const post = 'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello';
    const three = await rawExchange(port, GET('/slow?ms=30') + post + GET('/d'), { until: count(3) });
    expect(answers(three.raw)).toEqual([{ status: 200, url: '/slow?ms=30' }, { status: 200, url: '/c' }, { status: 200, url: '/d' }]);
    expect(three.raw).toContain('"body":"hello"');
  });

  it('answers 408 REQUEST_TIMEOUT to a head that does not come in time, and closes', async () => {
    const port = await start({ limits: { headersTimeoutMs: 300 } });
    const r = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n', { until: () => false, timeoutMs: 8000 });
    expect([r.status, r.closed, JSON.parse(r.body).code]).toEqual([408, true, 'REQUEST_TIMEOUT']);
  });

  it('answers 431 HEADERS_TOO_LARGE to an oversized head, and closes', async () => {
    const port = await start({ limits: { maxHeaderSize: 1024 } });
    const r = await rawExchange(port, GET('/', `X-Big: ${'a'.repeat(2000)}\r\n`), { until: () => false });
    expect([r.status, r.closed, JSON.parse(r.body).code]).toEqual([431, true, 'HEADERS_TOO_LARGE']);
    expect(f.backends[0]?.hits).toBe(0);
  });

  it('answers 400 to a smuggling attempt (Content-Length with Transfer-Encoding) on a kept-alive connection, and closes', async () => {
    const port = await start();
    const { socket, raw } = connection(port);
    socket.write(GET('/first'));
    await waitFor(() => answers(raw()).length === 1, { what: 'the first answer' });
    socket.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => socket.readableEnded || socket.destroyed, { what: 'the connection closed' });
    expect(responses(raw()).map((a) => a.status)).toEqual([200, 400]);
    expect(JSON.parse(responses(raw())[1]?.body ?? '{}').code).toBe('BAD_REQUEST');
    expect(f.backends[0]?.hits).toBe(1);
  });

  it('aborts the upstream request when the client leaves mid-body, leaving nothing in flight', async () => {
    const up = await startRawUpstream(() => undefined);
    f.cleanups.push(() => up.close());
    const port = await start({ requestBuffering: false }, [`127.0.0.1:${up.port}`]);
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n' + 'a'.repeat(1000));
    await waitFor(() => up.connections.opened === 1, { what: 'the upstream request' });
    socket.destroy();
    await waitFor(() => up.connections.closed === 1, { what: 'the upstream connection closed' });
    const b = f.balancer as NonNullable<typeof f.balancer>;
    await waitFor(async () => (await adminStatus(b)).upstreams['default']?.peers[0]?.inFlight === 0, { what: 'no request in flight' });
    expect(up.requests).toHaveLength(0); // the body never completed upstream
  });

  it('pauses the upstream while the client reads nothing of a large response (bounded memory), then relays it whole', async () => {
    const total = 64 * 1024 * 1024;
    const progress = { sent: 0, blocked: false, finished: false };
    const up = await startRawUpstream((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 97);
      const pump = (): void => {
        while (progress.sent < total) {
          progress.sent += chunk.length;
          if (!s.write(chunk)) {
            progress.blocked = true;
            s.once('drain', () => {
              progress.blocked = false;
              pump();
            });
            return;
          }
        }
        progress.finished = true;
      };
      pump();
    });
    f.cleanups.push(() => up.close());
    const port = await start({}, [`127.0.0.1:${up.port}`]);
    const socket = net.connect(port, '127.0.0.1');
    f.cleanups.push(() => void socket.destroy());
    socket.pause(); // reads nothing
    socket.write(GET('/big'));
    let last = -1;
    let still = 0;
    await waitFor(
      () => {
        if (progress.finished) return true;
        still = progress.blocked && progress.sent === last ? still + 1 : 0;
        last = progress.sent;
        return still >= 10;
      },
      { intervalMs: 50, what: 'the upstream to stall or finish' },
    );
    expect(progress.finished).toBe(false);
    expect(progress.sent).toBeLessThan(16 * 1024 * 1024);
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.resume();
    await waitFor(() => received >= total, { timeoutMs: 30_000, what: 'the whole response' });
    expect(progress.finished).toBe(true);
  });

  it('hands heads it does not serve to node:http on a connection it served before: Expect: 100-continue, then OPTIONS *', async () => {
    const port = await start();
    const { socket, raw, drop } = connection(port);
    socket.write(GET('/one'));
    await waitFor(() => answers(raw()).length === 1, { what: 'the engine answer' });
    socket.write('POST /two HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    await waitFor(() => raw().includes('HTTP/1.1 100 Continue\r\n\r\n'), { what: '100 Continue from node:http' });
    drop('HTTP/1.1 100 Continue\r\n\r\n');
    socket.write('hello');
    await waitFor(() => responses(raw()).length === 2, { what: 'the answer to the POST' });
    socket.write('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => responses(raw()).length === 3, { what: 'the answer to OPTIONS *' });
    const all = responses(raw());
    expect(answers(raw().slice(0, raw().lastIndexOf('HTTP/1.1 200')))).toEqual([{ status: 200, url: '/one' }, { status: 200, url: '/two' }]);
    expect(all[1]?.body).toContain('"body":"hello"');
    expect([all[2]?.status, all[2]?.headers.allow]).toEqual([200, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']);
  });

  it('hands a WebSocket upgrade to node:http on a kept-alive connection, and the tunnel works', async () => {
    const server = http.createServer((req, res) => res.end(JSON.stringify({ url: req.url })));
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo:${String(d)}`)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    f.cleanups.push(() => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); server.closeAllConnections(); server.close(() => resolve()); }));
    const port = await start({}, [`127.0.0.1:${(server.address() as AddressInfo).port}`]);
    const { socket, raw } = connection(port);
    socket.write(GET('/plain'));
    await waitFor(() => answers(raw()).length === 1, { what: 'the engine answer' });
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    socket.write(GET('/chat', `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`));
    await waitFor(() => raw().includes('HTTP/1.1 101 '), { what: 'the 101' });
    expect(raw()).toContain('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='); // the RFC 6455 accept for that key
    socket.write(Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2])); // masked text frame "hi"
    await waitFor(() => raw().includes('echo:hi'), { what: 'the echo through the tunnel' });
  });
});
