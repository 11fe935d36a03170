import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BalancerError } from '../errors.js';
import { MemoryBudget, spoolBody, type SpoolOptions } from './spool.js';
import { checkBodyTempPath } from './temp-path.js';
import { engineRequest } from '../../test/helpers/engine-request.js';
import { bodySource, spooledText, spoolOptions } from '../../test/helpers/streams.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-spool-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (extra: Partial<SpoolOptions> = {}): SpoolOptions => spoolOptions(dir, extra);

const text = spooledText;

describe('spoolBody', () => {
  it('keeps a body up to bufferBytes in memory, as one Buffer, and gives the budget back on close', async () => {
    const budget = new MemoryBudget();
    const src = bodySource();
    const p = spoolBody(src, options({ budget }));
    src.end('0123456789');
    const body = await p;
    expect(body.onDisk).toBe(false);
    expect(Buffer.isBuffer(body.open())).toBe(true);
    expect(budget.used).toBe(10);
    await body.close();
    await body.close();
    expect(budget.used).toBe(0);
  });

  it.each([
    ['in memory', ['0123', '456789'], false],
    ['on disk past bufferBytes', ['0123456789', 'abcdefghij'], true],
  ])('takes a body already whole in the request\'s buffer (%s) at once: no listener, never flowing', async (_, chunks, onDisk) => {
    // The engine listener's case: body chunks and the end pushed, `complete` set, before the handler runs.
    const src = engineRequest(chunks, true);
    const budget = new MemoryBudget();
    const p = spoolBody(src, options({ budget }));
    expect(src.listenerCount('data') + src.listenerCount('end')).toBe(0);
    expect(src.readableFlowing).toBe(null);
    const body = await p;
    expect(body.onDisk).toBe(onDisk);
    expect(await text(body)).toBe(chunks.join(''));
    expect(budget.used).toBe(onDisk ? 0 : 10);
    await body.close();
    expect(budget.used).toBe(0);
  });

  it('leaves a whole buffered body over maxBytes to the stream path (413), and one not complete yet', async () => {
    const big = engineRequest(['0123456789'], true);
    await expect(spoolBody(big, options({ maxBytes: 5 }))).rejects.toMatchObject({ code: 'BODY_TOO_LARGE' });
    const partial = engineRequest(['0123'], false);
    const p = spoolBody(partial, options());
    expect(partial.listenerCount('data')).toBe(1);
    partial.push('45');
    partial.push(null);
    expect(await text(await p)).toBe('012345');
  });

  it('spills past bufferBytes to an unlinked file, readable again for every attempt, even after one was destroyed', async () => {
    const budget = new MemoryBudget();
    const src = bodySource();
    const p = spoolBody(src, options({ budget }));
    for (let i = 0; i < 50; i++) src.write(`chunk-${i};`);
    src.end();
    const body = await p;
    expect(body.onDisk).toBe(true);
    expect(budget.used).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
    const expected = Array.from({ length: 50 }, (_, i) => `chunk-${i};`).join('');
    const first = body.open() as Readable;
    first.destroy(); // a cancelled attempt must not close the shared descriptor
    expect(await text(body)).toBe(expected);
    expect(await text(body)).toBe(expected);
    expect(body.size).toBe(expected.length);
    await body.close();
  });

  it('goes to disk at once when the process-wide memory budget is spent', async () => {
    const budget = new MemoryBudget();
    budget.tryReserve(100, 100);
    const src = bodySource();
    const p = spoolBody(src, options({ budget, memoryLimit: 100 }));
    src.end('tiny');
    const body = await p;
    expect(body.onDisk).toBe(true);
    expect(await text(body)).toBe('tiny');
    await body.close();
  });

  it('a client that leaves mid-upload → CLIENT_CLOSED_REQUEST, memory and file released', async () => {
    const budget = new MemoryBudget();
    const src = bodySource();
    const p = spoolBody(src, options({ budget }));
    src.write('x'.repeat(10));
    src.write('y'.repeat(100));
    src.destroy(new Error('aborted'));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BalancerError);
    expect((err as BalancerError).code).toBe('CLIENT_CLOSED_REQUEST');
    expect(budget.used).toBe(0);
  });

  it('a temp dir deleted at run time is made again, with the mode it was checked with, and the body spooled there', async () => {
    const temp = join(dir, 'deleted');
    mkdirSync(temp, { mode: 0o750 });
    chmodSync(temp, 0o750);
    checkBodyTempPath({ limits: { clientBodyTempPath: temp } as never, requestBuffering: true });
    rmSync(temp, { recursive: true });
    const events: string[] = [];
    const src = bodySource();
    const p = spoolBody(src, options({ tempDir: temp, onTempDir: (event, _dir, reason) => events.push(`${event} ${reason}`) }));
    src.end('z'.repeat(100));
    const body = await p;
    expect(body.onDisk).toBe(true);
    expect(await text(body)).toBe('z'.repeat(100));
    expect(statSync(temp).mode & 0o7777).toBe(0o750);
    expect(events).toEqual(['recreated ENOENT']);
    await body.close();
  });

  it('a temp dir that cannot be made again → CLIENT_BODY_TEMP_PATH_UNUSABLE (500, names the setting), no descriptor left', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const temp = join(blocker, 'spool'); // ENOTDIR on open, and mkdir cannot make it
    const fds = readdirSync('/proc/self/fd').length;
    const events: string[] = [];
    const src = bodySource();
    const p = spoolBody(src, options({ tempDir: temp, onTempDir: (event, _dir, reason) => events.push(`${event} ${reason}`) }));
    src.end('z'.repeat(100));
    const err = (await p.catch((e: unknown) => e)) as BalancerError;
    expect(err).toBeInstanceOf(BalancerError);
    expect(err).toMatchObject({ code: 'CLIENT_BODY_TEMP_PATH_UNUSABLE', status: 500 });
    expect(err.message).toContain(`limits.clientBodyTempPath: ${JSON.stringify(temp)} is not a writable directory (ENOTDIR)`);
    expect(events).toEqual(['unusable ENOTDIR']);
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
  });
});
