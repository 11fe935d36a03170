import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRawUpstream, type RawUpstream } from '../../../test/helpers/raw-upstream.js';
import { waitFor } from '../../../test/helpers/wait.js';
import type { AttemptResult, RunningAttempt } from '../../attempt.js';
import { PeerPool } from './pool.js';
import { relayEngine, type EngineRequest } from './relay.js';

/**
 * `relayEngine` behind a real node:http front: the `relayUpstream` contract (decide at the head,
 * relayed / discarded / failed / cancelled), response headers as the client sees them, request
 * body framing, and backpressure from a slow client to the upstream socket.
 */
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function upstream(answer: Parameters<typeof startRawUpstream>[0]): Promise<RawUpstream> {
  const up = await startRawUpstream(answer);
  closers.push(() => up.close());
  return up;
}

function poolFor(up: RawUpstream): PeerPool {
  const pool = new PeerPool({ host: '127.0.0.1', port: up.port, connections: 2, idleTimeoutMs: 60_000, connectTimeoutMs: 5000, bodyIdleMs: 60_000 });
  closers.push(() => pool.close());
  return pool;
}

/** A front server whose every request runs `attempt(res)`; the outcomes are collected. */
async function front(attempt: (res: ServerResponse, settled: (o: AttemptResult) => void) => RunningAttempt): Promise<{ url: string; outcomes: AttemptResult[]; running: RunningAttempt[] }> {
  const outcomes: AttemptResult[] = [];
  const running: RunningAttempt[] = [];
  const server = http.createServer((_req, res) => {
    const settled = (o: AttemptResult): void => {
      outcomes.push(o);
      if (o.kind !== 'relayed' && !res.headersSent) res.writeHead(599).end(o.kind);
    };
    running.push(attempt(res, settled));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  closers.push(async () => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, outcomes, running };
}

const GET: EngineRequest = { method: 'GET', path: '/p?q=1', headers: { host: 'client.example' }, body: null };
const control = (settled: (o: AttemptResult) => void, decide: (s: number) => boolean = () => true, headersTimeoutMs = 0) => ({ headersTimeoutMs, decide, settled });

describe('engine relay (relayUpstream contract)', () => {
  it('relays status, end-to-end headers (repeats kept, hop-by-hop dropped) and body', async () => {
    const up = await upstream((s) => s.write('HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: X-Secret\r\nX-Secret: s\r\nX-Up: 1\r\nContent-Length: 2\r\n\r\nok'));
    const pool = poolFor(up);
    const f = await front((res, settled) => relayEngine(pool, GET, res, control(settled)));
    const r = await fetch(f.url);
    expect([r.status, await r.text(), r.headers.getSetCookie(), r.headers.get('x-up'), r.headers.get('x-secret')]).toEqual([201, 'ok', ['a=1', 'b=2'], '1', null]);
    expect(f.outcomes).toEqual([{ kind: 'relayed', status: 201 }]);
    expect(up.requests[0]?.text).toBe('GET /p?q=1 HTTP/1.1\r\nhost: client.example\r\nconnection: keep-alive\r\n\r\n');
  });

  it('reads and drops an answer decide() refuses, reporting discarded, and reuses the socket', async () => {
    const up = await upstream((s) => s.write('HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy'));
    const pool = poolFor(up);
    const f = await front((res, settled) => relayEngine(pool, GET, res, control(settled, () => false)));
    expect((await fetch(f.url)).status).toBe(599);
    expect((await fetch(f.url)).status).toBe(599);
    expect(f.outcomes).toEqual([{ kind: 'discarded', status: 503 }, { kind: 'discarded', status: 503 }]);
    expect(up.connections.opened).toBe(1);
  });

  it('fails with UND_ERR_HEADERS_TIMEOUT when no head comes within headersTimeoutMs, and closes that socket', async () => {
    const up = await upstream(() => undefined);
    const pool = poolFor(up);
    const f = await front((res, settled) => relayEngine(pool, GET, res, control(settled, () => true, 30)));
    expect((await fetch(f.url)).status).toBe(599);
    expect(f.outcomes[0]).toMatchObject({ kind: 'failed', error: { code: 'UND_ERR_HEADERS_TIMEOUT' } });
    await waitFor(() => up.connections.closed === 1, { what: 'the timed-out socket closed' });
  });

  it('arms one headers timer per upstream socket, not one per request (refreshed for each request on it)', async () => {
    const up = await upstream((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const pool = poolFor(up);
    const f = await front((res, settled) => relayEngine(pool, GET, res, control(settled, () => true, 43_210)));
    const made = vi.spyOn(globalThis, 'setTimeout');
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(f.url)).status).toBe(200);
      expect(made.mock.calls.filter((c) => c[1] === 43_210)).toHaveLength(1);
    } finally {
      made.mockRestore();
    }
    expect(up.connections.opened).toBe(1);
    expect(f.outcomes).toEqual([0, 1, 2].map(() => ({ kind: 'relayed', status: 200 })));
  });

  it('cancel() resolves cancelled and destroys the socket (never back in the pool)', async () => {
    const up = await upstream(() => undefined);
    const pool = poolFor(up);
    const f = await front((res, settled) => relayEngine(pool, GET, res, control(settled)));
    const pending = fetch(f.url);
    await waitFor(() => up.requests.length === 1, { what: 'the request upstream' });
    f.running[0]?.cancel();
    expect((await pending).status).toBe(599);
    expect(f.outcomes).toEqual([{ kind: 'cancelled' }]);
    await waitFor(() => up.connections.closed === 1, { what: 'the cancelled socket closed' });
    expect(pool.stats()).toEqual({ idle: 0, busy: 0, waiting: 0, paused: 0 });
  });

  it('sends a streamed body of unknown length chunked, and a buffered one with its length', async () => {
    const up = await upstream((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const pool = poolFor(up);
    const bodies: Array<EngineRequest['body']> = [Readable.from([Buffer.from('ab'), Buffer.from('cde')]), Buffer.from('xyz')];
    const f = await front((res, settled) => relayEngine(pool, { method: 'POST', path: '/', headers: { host: 'h' }, body: bodies.shift() ?? null }, res, control(settled)));
    await fetch(f.url);
    await fetch(f.url);
    expect(f.outcomes).toEqual([{ kind: 'relayed', status: 200 }, { kind: 'relayed', status: 200 }]);
    expect(up.connections.opened).toBe(1);
    expect(up.requests.map((r) => r.text)).toEqual([
      'POST / HTTP/1.1\r\nhost: h\r\nconnection: keep-alive\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n',
      'POST / HTTP/1.1\r\nhost: h\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\nxyz',
    ]);
  });

  it('fails a streamed body that is shorter than its Content-Length, and never reuses the socket', async () => {
    const up = await upstream(() => undefined);
    const pool = poolFor(up);
    const body = Readable.from([Buffer.from('ab')]);
    const f = await front((res, settled) => relayEngine(pool, { method: 'POST', path: '/', headers: { host: 'h', 'content-length': '5' }, body }, res, control(settled)));
    expect((await fetch(f.url)).status).toBe(599);
    expect(f.outcomes[0]).toMatchObject({ kind: 'failed', error: { code: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' } });
    await waitFor(() => up.connections.closed === 1, { what: 'the socket closed' });
  });

  it('pauses the upstream socket while the client does not read, and relays every byte once it does', async () => {
    const size = 16 * 1024 * 1024;
    const up = await upstream((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      s.write(Buffer.alloc(size, 0x61));
    });
    const pool = poolFor(up);
    const f = await front((res, settled) => relayEngine(pool, GET, res, control(settled)));
    const res = await fetch(f.url);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    // The engine stops reading the upstream socket while the client reads nothing.
    await waitFor(() => pool.stats().paused === 1, { what: 'the upstream socket paused' });
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.length;
    }
    expect(got).toBe(size);
    expect(f.outcomes).toEqual([{ kind: 'relayed', status: 200 }]);
  });
});
