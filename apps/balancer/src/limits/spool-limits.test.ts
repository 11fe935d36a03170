import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BalancerError } from '../errors.js';
import { MemoryBudget, spoolBody, type SpoolOptions, type SpooledBody } from './spool.js';
import { bodySource, spooledText, spoolOptions } from '../../test/helpers/streams.js';

/**
 * The limits `spoolBody` enforces while it reads (NGINX `client_max_body_size` → 413 for bodies
 * that grow past it, `client_body_timeout` → 408 between two reads) and the memory discipline
 * of `client_body_buffer_size`: what spool.test.ts does not cover.
 */
const dir = mkdtempSync(join(tmpdir(), 'fleet-spool-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.useRealTimers();
});

const options = (extra: Partial<SpoolOptions> = {}): SpoolOptions => spoolOptions(dir, extra);

const text = spooledText;

const outcome = (p: Promise<SpooledBody>): Promise<string> =>
  p.then(
    async (b) => `ok ${await text(b)}`,
    (err: unknown) => (err instanceof BalancerError ? `${err.code} ${err.status} ${err.headers.connection ?? ''}`.trim() : String(err)),
  );

describe('spoolBody: client_max_body_size', () => {
  it.each([
    { name: 'exactly the limit, in memory', chunks: ['12345', '67890'], max: 10, want: 'ok 1234567890' },
    { name: 'one byte over, in memory', chunks: ['12345', '678901'], max: 10, want: 'BODY_TOO_LARGE 413 close' },
    { name: 'exactly the limit, on disk', chunks: ['a'.repeat(20), 'b'.repeat(20)], max: 40, want: `ok ${'a'.repeat(20)}${'b'.repeat(20)}` },
    { name: 'one byte over, on disk', chunks: ['a'.repeat(20), 'b'.repeat(21)], max: 40, want: 'BODY_TOO_LARGE 413 close' },
    { name: 'limit 0 = unlimited', chunks: ['x'.repeat(5000)], max: 0, want: `ok ${'x'.repeat(5000)}` },
  ])('$name', async ({ chunks, max, want }) => {
    const src = bodySource();
    const p = spoolBody(src, options({ maxBytes: max }));
    for (const c of chunks) src.write(c);
    src.end();
    await expect(outcome(p)).resolves.toBe(want);
  });

  it('a declared Content-Length over the limit is refused before a byte is read', async () => {
    const src = bodySource({ 'content-length': '11' });
    const p = spoolBody(src, options({ maxBytes: 10 }));
    await expect(outcome(p)).resolves.toBe('BODY_TOO_LARGE 413 close');
    expect(src.readableFlowing).toBeNull(); // never attached a reader
  });

  it('a declared Content-Length at the limit is read', async () => {
    const src = bodySource({ 'content-length': '10' });
    const p = spoolBody(src, options({ maxBytes: 10 }));
    src.end('0123456789');
    await expect(outcome(p)).resolves.toBe('ok 0123456789');
  });

  it('past the limit the source is paused and the memory reservation given back', async () => {
    const budget = new MemoryBudget();
    const src = bodySource();
    const p = spoolBody(src, options({ maxBytes: 10, budget }));
    src.write('12345');
    src.write('678901');
    await expect(outcome(p)).resolves.toBe('BODY_TOO_LARGE 413 close');
    expect(src.isPaused()).toBe(true);
    expect(src.listenerCount('data')).toBe(0);
    expect(budget.used).toBe(0);
  });
});

describe('spoolBody: states of the source', () => {
  it('an already ended source gives an empty in-memory body', async () => {
    const src = bodySource();
    src.resume();
    src.end();
    await new Promise((r) => src.once('end', r));
    const body = await spoolBody(src, options());
    expect({ size: body.size, onDisk: body.onDisk, text: await text(body) }).toEqual({ size: 0, onDisk: false, text: '' });
  });

  it('an already destroyed source → CLIENT_CLOSED_REQUEST 499', async () => {
    const src = bodySource();
    src.destroy();
    await expect(outcome(spoolBody(src, options()))).resolves.toBe('CLIENT_CLOSED_REQUEST 499 close');
  });

  it('a premature close without an error → CLIENT_CLOSED_REQUEST', async () => {
    const src = bodySource();
    const p = spoolBody(src, options());
    src.write('abc');
    src.destroy();
    await expect(outcome(p)).resolves.toBe('CLIENT_CLOSED_REQUEST 499 close');
  });

  it('string chunks are taken as bytes', async () => {
    const src = bodySource();
    src.setEncoding('utf8');
    const p = spoolBody(src, options());
    src.end('héllo');
    const body = await p;
    expect(body.size).toBe(6);
    expect(await text(body)).toBe('héllo');
  });
});

describe('spoolBody: client_body_timeout', () => {
  it('idle between chunks → REQUEST_TIMEOUT 408; each chunk restarts the clock', async () => {
    vi.useFakeTimers();
    const src = bodySource();
    const p = outcome(spoolBody(src, options({ idleTimeoutMs: 1000 })));
    let settled = '';
    void p.then((s) => (settled = s));
    src.write('a');
    await vi.advanceTimersByTimeAsync(900);
    src.write('b');
    await vi.advanceTimersByTimeAsync(900);
    expect(settled).toBe(''); // 1800 ms in all, but never 1000 ms of silence
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBe('REQUEST_TIMEOUT 408 close');
  });

  it('no timer when the timeout is 0, and none left once the body is read', async () => {
    vi.useFakeTimers();
    const src = bodySource();
    const p = spoolBody(src, options({ idleTimeoutMs: 0 }));
    expect(vi.getTimerCount()).toBe(0);
    src.end('x');
    await p;
    const timed = bodySource();
    const q = spoolBody(timed, options({ idleTimeoutMs: 5000 }));
    expect(vi.getTimerCount()).toBe(1);
    timed.end('y');
    await q;
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('spoolBody: memory discipline', () => {
  it('holds up to bufferBytes in memory, and moves what it held to disk with the rest', async () => {
    const budget = new MemoryBudget();
    const src = bodySource();
    const p = spoolBody(src, options({ bufferBytes: 16, budget }));
    src.write('0123456789abcdef'); // exactly bufferBytes: still in memory
    await new Promise((r) => setImmediate(r));
    expect(budget.used).toBe(16);
    src.end('!'); // one more byte: everything goes to the file
    const body = await p;
    expect(body.onDisk).toBe(true);
    expect(budget.used).toBe(0);
    expect(body.size).toBe(17);
    expect(await text(body)).toBe('0123456789abcdef!');
    await body.close();
  });

  it('a body that fits stays one Buffer per attempt (no copy per chunk)', async () => {
    const src = bodySource();
    const p = spoolBody(src, options({ bufferBytes: 1024 }));
    src.write('ab');
    src.end('cd');
    const body = await p;
    expect(body.onDisk).toBe(false);
    expect(body.size).toBe(4);
    expect((body.open() as Buffer).toString()).toBe('abcd');
    await body.close();
  });

  it('MemoryBudget: a limit of 0 is unlimited; release never goes below 0', () => {
    const budget = new MemoryBudget();
    expect(budget.tryReserve(1e9, 0)).toBe(true);
    expect(budget.tryReserve(1, 10)).toBe(false);
    budget.release(2e9);
    expect(budget.used).toBe(0);
    expect(budget.tryReserve(10, 10)).toBe(true);
    expect(budget.tryReserve(1, 10)).toBe(false);
  });
});
