import { randomFillSync, randomUUID } from 'node:crypto';

/**
 * Fresh ids for requests the balancer starts: request ids are UUID v4 (the replica generates
 * the same form), trace ids 16 and span ids 8 random bytes as lowercase hex, never all zero
 * (W3C: an all-zero id is invalid). Random bytes come from a pool refilled 4 KiB at a time, so
 * an id costs one `toString('hex')` (≈ 0.1 µs, see README "Request ids: cost").
 * The random source is injected so tests are deterministic.
 */
export interface IdSource {
  requestId(): string;
  traceId(): string;
  spanId(): string;
}

export interface IdSourceOptions {
  /** Fills a buffer with random bytes (default crypto.randomFillSync). */
  fill?: (buf: Buffer) => void;
  /** A new request id (default crypto.randomUUID). */
  uuid?: () => string;
  /** Pool size in bytes (default 4096). */
  poolBytes?: number;
}

export function createIdSource(options: IdSourceOptions = {}): IdSource {
  const fill = options.fill ?? ((buf: Buffer) => void randomFillSync(buf));
  const pool = Buffer.allocUnsafe(options.poolBytes ?? 4096);
  let offset = pool.length;
  const hex = (bytes: number): string => {
    for (;;) {
      if (offset + bytes > pool.length) {
        fill(pool);
        offset = 0;
      }
      const start = offset;
      offset += bytes;
      for (let i = start; i < offset; i++) if (pool[i] !== 0) return pool.toString('hex', start, offset);
    }
  };
  return { requestId: options.uuid ?? randomUUID, traceId: () => hex(16), spanId: () => hex(8) };
}
