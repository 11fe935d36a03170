import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BalancerError, sendError } from '../errors.js';
import { limitStream, readBody } from './body.js';
import { bodySource, collect } from '../../test/helpers/streams.js';

/** Let stream callbacks (process.nextTick / microtasks) run. */
const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => process.nextTick(r));
};

function track<T>(p: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const codeOf = (err: unknown) => (err instanceof BalancerError ? `${err.code} ${err.status}` : String(err));

afterEach(() => {
  vi.useRealTimers();
});

describe('readBody', () => {
  it.each([
    { name: 'several chunks under the limit', chunks: ['ab', 'cd', 'e'], max: 10, result: 'abcde' },
    { name: 'exactly the limit', chunks: ['12345', '67890'], max: 10, result: '1234567890' },
    { name: 'one byte over', chunks: ['12345', '678901'], max: 10, error: 'BODY_TOO_LARGE 413' },
    { name: 'limit 0 = unlimited', chunks: ['x'.repeat(5000)], max: 0, result: 'x'.repeat(5000) },
    { name: 'empty body', chunks: [], max: 10, result: '' },
  ])('$name', async ({ chunks, max, result, error }) => {
    const src = bodySource();
    const p = readBody(src, { maxBytes: max, idleTimeoutMs: 0 });
    for (const c of chunks) src.write(c);
    src.end();
    if (error === undefined) expect((await p).toString()).toBe(result);
    else await expect(p.catch(codeOf)).resolves.toBe(error);
  });

  it('past the limit: rejects with connection: close, pauses the source, removes its listeners', async () => {
    const src = bodySource();
    const p = readBody(src, { maxBytes: 3, idleTimeoutMs: 0 });
    src.write('abcd');
    const err = await p.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BODY_TOO_LARGE', headers: { connection: 'close' } });
    expect(src.isPaused()).toBe(true);
    expect(src.destroyed).toBe(false);
    expect([src.listenerCount('data'), src.listenerCount('end'), src.listenerCount('error')]).toEqual([0, 0, 0]);
  });

  it('declared Content-Length over the limit rejects before reading', async () => {
    const src = bodySource({ 'content-length': '11' });
    await expect(readBody(src, { maxBytes: 10, idleTimeoutMs: 0 }).catch(codeOf)).resolves.toBe('BODY_TOO_LARGE 413');
    expect(src.readableFlowing).toBe(null);
  });

  it('a source error (node: ECONNRESET "aborted" when the client leaves) → CLIENT_CLOSED_REQUEST', async () => {
    const src = bodySource();
    const p = readBody(src, { maxBytes: 10, idleTimeoutMs: 0 });
    src.destroy(new Error('aborted'));
    await expect(p.catch(codeOf)).resolves.toBe('CLIENT_CLOSED_REQUEST 499');
  });

  it('premature close → CLIENT_CLOSED_REQUEST', async () => {
    const src = bodySource();
    const p = readBody(src, { maxBytes: 10, idleTimeoutMs: 0 });
    src.write('ab');
    src.destroy();
    await expect(p.catch(codeOf)).resolves.toBe('CLIENT_CLOSED_REQUEST 499');
  });

  it('idle timeout between chunks → REQUEST_TIMEOUT; each chunk restarts the clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const src = bodySource();
    const state = track(readBody(src, { maxBytes: 100, idleTimeoutMs: 1000 }));
    vi.advanceTimersByTime(999);
    src.write('a');
    await ticks();
    vi.advanceTimersByTime(999);
    await ticks();
    expect(state.settled).toBe(false);
    vi.advanceTimersByTime(1);
    await ticks();
    expect(codeOf(state.error)).toBe('REQUEST_TIMEOUT 408');
    expect((state.error as BalancerError).headers).toEqual({ connection: 'close' });
  });

  it('clears its timer on success (nothing left scheduled)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const src = bodySource();
    const state = track(readBody(src, { maxBytes: 100, idleTimeoutMs: 1000 }));
    expect(vi.getTimerCount()).toBe(1);
    src.end('ok');
    await ticks();
    expect(state.value?.toString()).toBe('ok');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('unrefs its timer so it never holds the process open', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const src = bodySource();
    const p = readBody(src, { maxBytes: 100, idleTimeoutMs: 60000 });
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    src.end();
    await p;
  });
});

describe('limitStream', () => {
  it('passes a body under the limit through unchanged', async () => {
    const src = bodySource();
    const out = collect(limitStream(src, 10));
    src.write('hello ');
    src.end('body');
    expect(await out).toEqual({ data: 'hello body' });
  });

  it('errors BODY_TOO_LARGE past the limit; the source is unpiped and paused, not destroyed', async () => {
    const src = bodySource();
    const out = collect(limitStream(src, 5));
    src.write('12345');
    await ticks();
    src.write('6');
    const result = await out;
    expect(result.data).toBe('12345');
    expect(codeOf(result.error)).toBe('BODY_TOO_LARGE 413');
    expect([src.isPaused(), src.destroyed, src.listenerCount('data')]).toEqual([true, false, 0]);
  });

  it('declared Content-Length over the limit errors at once', async () => {
    const result = await collect(limitStream(bodySource({ 'content-length': '6' }), 5));
    expect(codeOf(result.error)).toBe('BODY_TOO_LARGE 413');
  });

  it('a source error and a premature close → CLIENT_CLOSED_REQUEST', async () => {
    const a = bodySource();
    const outA = collect(limitStream(a, 5));
    a.destroy(new Error('aborted'));
    expect(codeOf((await outA).error)).toBe('CLIENT_CLOSED_REQUEST 499');
    const b = bodySource();
    const outB = collect(limitStream(b, 5));
    b.write('x');
    await ticks();
    b.destroy();
    expect(codeOf((await outB).error)).toBe('CLIENT_CLOSED_REQUEST 499');
  });
});

describe('readBody with a real node:http chunked upload', () => {
  async function upload(chunks: string[]): Promise<{ status: number; body: string }> {
    const server = createServer((req: IncomingMessage, res) => {
      readBody(req, { maxBytes: 8, idleTimeoutMs: 5000 }).then(
        (buf) => res.end(`got ${buf.length}`),
        (err: BalancerError) => sendError(res, err.code, err.message, err.headers),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      return await new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        for (const c of chunks) req.write(c);
        req.end();
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('accepts a chunked body within the limit', async () => {
    expect(await upload(['abcd', 'efgh'])).toEqual({ status: 200, body: 'got 8' });
  });

  it('answers 413 BODY_TOO_LARGE for a chunked body past the limit', async () => {
    const res = await upload(['abcd', 'efgh', 'i']);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });
});
