import { PassThrough, type Readable } from 'node:stream';
import { MemoryBudget, type SpoolOptions, type SpooledBody } from '../../src/limits/spool.js';

/** A request-like body source: a PassThrough carrying the headers the limits read. */
export function bodySource(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  return Object.assign(new PassThrough(), { headers });
}

/** Everything a stream yields as text, and the error it ended with, if any. */
export async function collect(stream: Readable): Promise<{ data: string; error?: unknown }> {
  let data = '';
  try {
    for await (const chunk of stream) data += String(chunk);
    return { data };
  } catch (error) {
    return { data, error };
  }
}

/** Spool options for unit tests: everything off unless `extra` sets it, files under `tempDir`. */
export function spoolOptions(tempDir: string, extra: Partial<SpoolOptions> = {}): SpoolOptions {
  return { maxBytes: 0, idleTimeoutMs: 0, bufferBytes: 16, memoryLimit: 0, budget: new MemoryBudget(), tempDir, ...extra };
}

/** A spooled body read back as text, from memory or from its file. */
export async function spooledText(body: SpooledBody): Promise<string> {
  const opened = body.open();
  if (Buffer.isBuffer(opened)) return opened.toString();
  let out = '';
  for await (const chunk of opened as Readable) out += String(chunk);
  return out;
}
