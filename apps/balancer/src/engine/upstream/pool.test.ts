import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRawUpstream, type RawUpstream } from '../../../test/helpers/raw-upstream.js';
import { waitFor } from '../../../test/helpers/wait.js';
import type { UpstreamConnection } from './connection.js';
import { PeerPool, type PeerPoolOptions } from './pool.js';
import { serialiseHead } from './request-head.js';

/**
 * The engine's upstream client against raw fixture servers: response framing end to end,
 * socket reuse only after a clean, fully read, kept-alive response, pool bounds, and every
 * timeout (small timeouts awaited by bounded polling; no sleeps, no timing thresholds).
 */
interface Result {
  status?: number;
  body: string;
  error?: string;
}

const ups: RawUpstream[] = [];
const pools: PeerPool[] = [];
afterEach(async () => {
  await Promise.all(ups.splice(0).map((u) => u.close()));
  pools.splice(0).forEach((p) => void p.close());
});

async function upstream(answer: Parameters<typeof startRawUpstream>[0]): Promise<RawUpstream> {
  const up = await startRawUpstream(answer);
  ups.push(up);
  return up;
}

function poolFor(up: { port: number }, options: Partial<PeerPoolOptions> = {}): PeerPool {
  const pool = new PeerPool({ host: '127.0.0.1', port: up.port, connections: 4, idleTimeoutMs: 60_000, connectTimeoutMs: 5000, bodyIdleMs: 60_000, ...options });
  pools.push(pool);
  return pool;
}

function request(pool: PeerPool, method = 'GET', body: Buffer | null = null): Promise<Result> {
  return new Promise((resolve) => {
    const out: Result = { body: '' };
    pool.acquire((err, conn) => {
      if (err !== undefined) return resolve({ ...out, error: (err as { code?: string }).code });
      const head = serialiseHead(method, '/', { host: 'h' }, body === null ? { kind: 'none' } : { kind: 'buffer', length: body.length }, 'peer');
      (conn as UpstreamConnection).send(head, body, method === 'HEAD', {
        onHead: (status) => (out.status = status),
        onBody: (c) => (out.body += c.toString('latin1')),
        onEnd: () => resolve(out),
        onError: (e) => resolve({ ...out, error: (e as { code?: string }).code }),
      });
    });
  });
}

/** A socket stuck in "connecting" (a SYN nobody answers): writes queue, 'connect' never comes. */
function neverConnects(): Socket {
  const socket = new Socket();
  (socket as { connecting: boolean }).connecting = true;
  return socket;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

describe('engine upstream pool and connection', () => {
  it('reuses one socket for sequential keep-alive responses (CL and chunked with trailers)', async () => {
    let n = 0;
    const up = await upstream((s) => s.write(n++ % 2 === 0 ? OK : 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n0\r\nT: 1\r\n\r\n'));
    const pool = poolFor(up);
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(await request(pool)).toEqual({ status: 200, body: 'ab' });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(up.connections.opened).toBe(1);
    expect(pool.stats()).toEqual({ idle: 1, busy: 0, waiting: 0, paused: 0 });
  });

  it('does not reuse a socket after Connection: close, HTTP/1.0 or a close-delimited body', async () => {
    const answers = ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb'];
    const up = await upstream((s, req) => {
      const a = answers[req.connection];
      if (a !== undefined) s.write(a);
      else s.end('HTTP/1.1 200 OK\r\n\r\nuntil-close');
    });
    const pool = poolFor(up);
    expect(await request(pool)).toEqual({ status: 200, body: 'a' });
    expect(await request(pool)).toEqual({ status: 200, body: 'b' });
    expect(await request(pool)).toEqual({ status: 200, body: 'until-close' });
    expect(await request(pool)).toEqual({ status: 200, body: 'until-close' });
    expect(up.connections.opened).toBe(4);
    await waitFor(() => pool.stats().idle === 0 && up.connections.closed === 4, { what: 'every socket closed' });
  });

  it('reads no body for HEAD, 204 and 304 and keeps the socket', async () => {
    const answers = ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n', OK];
    const up = await upstream((s, req) => s.write(answers[req.index] ?? OK));
    const pool = poolFor(up);
    expect(await request(pool, 'HEAD')).toEqual({ status: 200, body: '' });
    expect(await request(pool)).toEqual({ status: 204, body: '' });
    expect(await request(pool)).toEqual({ status: 304, body: '' });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(up.connections.opened).toBe(1);
  });

  it('skips 100 Continue and 103 Early Hints: the final answer is the one reported', async () => {
    const up = await upstream((s) => s.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${OK}`));
    const pool = poolFor(up);
    expect(await request(pool, 'POST', Buffer.from('x'))).toEqual({ status: 200, body: 'ok' });
    expect(up.requests[0]?.text).toMatch(/^POST \/ HTTP\/1\.1\r\nhost: h\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\nx$/);
  });

  it('fails CL+TE, duplicate CL and malformed CL from the upstream as upstream errors, relaying no byte, closing the socket', async () => {
    const bad = [
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok',
    ];
    const up = await upstream((s, req) => s.write(bad[req.connection] ?? OK));
    const pool = poolFor(up);
    expect(await request(pool)).toEqual({ body: '', error: 'HPE_INVALID_TRANSFER_ENCODING' });
    expect(await request(pool)).toEqual({ body: '', error: 'HPE_UNEXPECTED_CONTENT_LENGTH' });
    expect(await request(pool)).toEqual({ body: '', error: 'HPE_INVALID_CONTENT_LENGTH' });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(up.connections.opened).toBe(4);
  });

  it('reports a peer that closes mid-body or before answering, and never reuses that socket', async () => {
    const up = await upstream((s, req) => {
      if (req.connection === 0) s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      else if (req.connection === 1) s.end();
      else s.write(OK);
    });
    const pool = poolFor(up);
    expect(await request(pool)).toEqual({ status: 200, body: 'abc', error: 'HPE_INVALID_EOF_STATE' });
    expect(await request(pool)).toEqual({ body: '', error: 'UND_ERR_SOCKET' });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(up.connections.opened).toBe(3);
  });

  it('delivers the asked-for response but drops the socket when a second one follows unasked (same packet or later)', async () => {
    const up = await upstream((s, req) => {
      if (req.connection === 0) s.write(OK + OK);
      else if (req.connection === 1) {
        s.write(OK);
        setImmediate(() => s.write('HTTP/1.1 200 OK\r\n'));
      } else s.write(OK);
    });
    const pool = poolFor(up);
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    await waitFor(() => up.connections.closed === 1, { what: 'the first socket closed' });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    await waitFor(() => up.connections.closed === 2, { what: 'the second socket closed' });
    expect(pool.stats().idle).toBe(0);
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(up.connections.opened).toBe(3);
  });

  it('never hands out a socket destroyed while idle (the peer closed it, the close event not yet seen)', async () => {
    const up = await upstream((s) => s.write(OK));
    const pool = poolFor(up);
    let first: UpstreamConnection | undefined;
    pool.acquire((_e, c) => (first = c));
    const head = serialiseHead('GET', '/', { host: 'h' }, { kind: 'none' }, 'peer');
    await new Promise<void>((resolve) => first?.send(head, null, false, { onHead: () => undefined, onBody: () => undefined, onEnd: () => resolve(), onError: () => resolve() }));
    expect(pool.stats().idle).toBe(1);
    first?.destroy(); // what 'end' from the peer does; 'close' comes a tick later
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(up.connections.opened).toBe(2);
  });

  it('bounds the sockets per peer (keepalive.connections): the next request waits for a free one', async () => {
    const held: Array<() => void> = [];
    const up = await upstream((s) => held.push(() => s.write(OK)));
    const pool = poolFor(up, { connections: 2 });
    const results = [request(pool), request(pool), request(pool)];
    await waitFor(() => held.length === 2, { what: 'two requests upstream' });
    expect(pool.stats()).toEqual({ idle: 0, busy: 2, waiting: 1, paused: 0 });
    held[0]?.();
    await waitFor(() => held.length === 3, { what: 'the waiting request on the freed socket' });
    held[1]?.();
    held[2]?.();
    expect(await Promise.all(results)).toEqual([1, 2, 3].map(() => ({ status: 200, body: 'ok' })));
    expect(up.connections.opened).toBe(2);
  });

  it('closes an idle socket after keepalive.idleTimeoutMs', async () => {
    const up = await upstream((s) => s.write(OK));
    const pool = poolFor(up, { idleTimeoutMs: 30 });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    await waitFor(() => up.connections.closed === 1 && pool.stats().idle === 0, { what: 'the idle socket closed' });
  });

  it("closes an idle socket before the peer's Keep-Alive: timeout=N hint (less 1 s), below idleTimeoutMs", async () => {
    const up = await upstream((s, req) => s.write(`HTTP/1.1 200 OK\r\nKeep-Alive: timeout=${req.index === 0 ? 60 : 1}\r\nContent-Length: 2\r\n\r\nok`));
    const pool = poolFor(up, { idleTimeoutMs: 60_000 });
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' });
    expect(pool.stats().idle).toBe(1); // 59 s hint: kept
    expect(await request(pool)).toEqual({ status: 200, body: 'ok' }); // timeout=1 → 0 ms: never parked
    await waitFor(() => up.connections.closed === 1 && pool.stats().idle === 0, { what: 'the socket closed at once' });
  });

  it('fails a connect that does not complete within connectTimeoutMs with UND_ERR_CONNECT_TIMEOUT', async () => {
    const pool = new PeerPool({ host: '127.0.0.1', port: 1, connections: 1, idleTimeoutMs: 1000, connectTimeoutMs: 20, bodyIdleMs: 0, connect: neverConnects });
    pools.push(pool);
    expect(await request(pool)).toEqual({ body: '', error: 'UND_ERR_CONNECT_TIMEOUT' });
    expect(pool.stats()).toEqual({ idle: 0, busy: 0, waiting: 0, paused: 0 });
  });

  it('fails a body that stalls longer than bodyIdleMs with UND_ERR_BODY_TIMEOUT and closes the socket', async () => {
    const up = await upstream((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab'));
    const pool = poolFor(up, { bodyIdleMs: 30 });
    expect(await request(pool)).toEqual({ status: 200, body: 'ab', error: 'UND_ERR_BODY_TIMEOUT' });
    await waitFor(() => up.connections.closed === 1, { what: 'the socket closed' });
  });

  it('fails a refused connect with ECONNREFUSED (nothing sent) and frees the slot', async () => {
    const up = await upstream(() => undefined);
    const port = up.port;
    await up.close();
    ups.splice(0);
    const pool = poolFor({ port }, { connections: 1 });
    expect(await request(pool)).toEqual({ body: '', error: 'ECONNREFUSED' });
    expect(pool.stats()).toEqual({ idle: 0, busy: 0, waiting: 0, paused: 0 });
  });
});
