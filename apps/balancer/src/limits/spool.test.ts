import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BalancerError } from '../errors.js';
import { MemoryBudget, spoolBody, type SpoolOptions, type SpooledBody } from './spool.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-spool-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function source(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  return Object.assign(new PassThrough(), { headers });
}

function options(extra: Partial<SpoolOptions> = {}): SpoolOptions {
  return { maxBytes: 0, idleTimeoutMs: 0, bufferBytes: 16, memoryLimit: 0, budget: new MemoryBudget(), tempDir: dir, ...extra };
}

async function text(body: SpooledBody): Promise<string> {
  const opened = body.open();
  if (Buffer.isBuffer(opened)) return opened.toString();
  let out = '';
  for await (const chunk of opened as Readable) out += String(chunk);
  return out;
}

describe('spoolBody', () => {
  it('keeps a body up to bufferBytes in memory, as one Buffer, and gives the budget back on close', async () => {
    const budget = new MemoryBudget();
    const src = source();
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

  it('spills past bufferBytes to an unlinked file, readable again for every attempt, even after one was destroyed', async () => {
    const budget = new MemoryBudget();
    const src = source();
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
    const src = source();
    const p = spoolBody(src, options({ budget, memoryLimit: 100 }));
    src.end('tiny');
    const body = await p;
    expect(body.onDisk).toBe(true);
    expect(await text(body)).toBe('tiny');
    await body.close();
  });

  it('a client that leaves mid-upload → CLIENT_CLOSED_REQUEST, memory and file released', async () => {
    const budget = new MemoryBudget();
    const src = source();
    const p = spoolBody(src, options({ budget }));
    src.write('x'.repeat(10));
    src.write('y'.repeat(100));
    src.destroy(new Error('aborted'));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BalancerError);
    expect((err as BalancerError).code).toBe('CLIENT_CLOSED_REQUEST');
    expect(budget.used).toBe(0);
  });

  it('a temp dir that cannot be written is an error, not a hang', async () => {
    const src = source();
    const p = spoolBody(src, options({ tempDir: join(dir, 'missing') }));
    src.end('z'.repeat(100));
    await expect(p).rejects.toThrow(/ENOENT/);
  });
});
