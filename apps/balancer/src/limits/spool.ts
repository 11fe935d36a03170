import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BalancerError } from '../errors.js';
import { LOCAL_RESOURCE_ERRORS } from '../upstream-errors.js';
import { bodyTooLarge, clientClosed, declaredLength, idleTimer, type BodySource } from './body.js';
import { tempDirMode, tempPathUnusable } from './temp-path.js';

/**
 * Request bodies read before a peer is chosen (NGINX `proxy_request_buffering on`), with
 * NGINX's memory discipline: up to `bufferBytes` per request stay in memory
 * (`client_body_buffer_size`) while the process-wide `MemoryBudget` allows it; the rest is
 * written to a temp file (`client_body_temp_path`). The file is unlinked as soon as it is
 * opened, so nothing is left behind even on a crash; its descriptor is read again for every
 * attempt (retries and hedges replay the body) and closed by `close()`.
 */
export interface SpooledBody {
  readonly size: number;
  /** True when the body went to a temp file. */
  readonly onDisk: boolean;
  /** A fresh copy for one attempt: the buffer itself, or a stream over the file. */
  open(): Buffer | Readable;
  /** Give back the memory reservation and close the file (idempotent). */
  close(): Promise<void>;
}

/** Bytes of request bodies held in memory across all requests (`limits.clientBodyMemory`). */
export class MemoryBudget {
  used = 0;
  tryReserve(bytes: number, limit: number): boolean {
    if (limit > 0 && this.used + bytes > limit) return false;
    this.used += bytes;
    return true;
  }
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export interface SpoolOptions {
  maxBytes: number;
  idleTimeoutMs: number;
  bufferBytes: number;
  memoryLimit: number;
  budget: MemoryBudget;
  tempDir: string;
  /**
   * Told when `tempDir` had disappeared: `recreated` (made again with its mode) or `unusable`
   * (the request gets CLIENT_BODY_TEMP_PATH_UNUSABLE); the caller logs and counts.
   */
  onTempDir?: (event: 'recreated' | 'unusable', dir: string, reason: string) => void;
}

let spooled = 0;

function localFailure(err: unknown): Error {
  const code = (err as { code?: string }).code ?? '';
  if (LOCAL_RESOURCE_ERRORS.has(code) || code === 'ENOSPC' || code === 'EDQUOT') {
    return new BalancerError('LOCAL_RESOURCES_EXHAUSTED', 'no room to buffer the request body', { connection: 'close', 'retry-after': '1' });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Open an anonymous temp file: created exclusively, owner-only, unlinked at once. */
async function openUnlinked(path: string): Promise<FileHandle> {
  const handle = await open(path, 'wx+', 0o600);
  await unlink(path).catch(async (err: unknown) => {
    await handle.close();
    throw err;
  });
  return handle;
}

const errno = (err: unknown): string => (err as { code?: string }).code ?? String(err);

/** Not about the directory: no descriptor, a full disk (LOCAL_RESOURCES_EXHAUSTED via localFailure). */
const resourceError = (err: unknown): boolean => LOCAL_RESOURCE_ERRORS.has(errno(err)) || errno(err) === 'ENOSPC' || errno(err) === 'EDQUOT';

/**
 * A temp file in `tempDir`. The directory can be deleted while the balancer runs (a tmp
 * cleaner, an operator): it is made again once, with the mode it had when the config was
 * checked, and the open retried; if that fails too, the request gets the JSON 500
 * CLIENT_BODY_TEMP_PATH_UNUSABLE naming the setting (never a bare 500, nothing left open).
 */
async function tempFile({ tempDir: dir, onTempDir }: SpoolOptions): Promise<FileHandle> {
  const path = join(dir, `fleet-body-${process.pid}-${++spooled}-${randomBytes(6).toString('hex')}`);
  try {
    return await openUnlinked(path);
  } catch (err) {
    if (resourceError(err)) throw err;
    if (errno(err) !== 'ENOENT') return unusable(err);
  }
  try {
    const mode = tempDirMode(dir);
    await mkdir(dir, { recursive: true, mode });
    await chmod(dir, mode); // mkdir's mode is masked by the umask
    onTempDir?.('recreated', dir, 'ENOENT');
    return await openUnlinked(path);
  } catch (err) {
    if (resourceError(err)) throw err;
    return unusable(err);
  }

  function unusable(err: unknown): never {
    onTempDir?.('unusable', dir, errno(err));
    throw tempPathUnusable(dir, errno(err));
  }
}

const READ_CHUNK = 64 * 1024;

/**
 * One stream per attempt over the shared descriptor, by positional reads. Not fs.ReadStream:
 * its destroy() closes the descriptor whatever `autoClose` says, and an attempt that is
 * cancelled (hedge loser, client gone) destroys its body stream.
 */
function fileStream(file: FileHandle, size: number): Readable {
  let position = 0;
  return new Readable({
    highWaterMark: READ_CHUNK,
    read() {
      const length = Math.min(READ_CHUNK, size - position);
      if (length <= 0) return void this.push(null);
      file.read(Buffer.allocUnsafe(length), 0, length, position).then(
        ({ bytesRead, buffer }) => {
          if (bytesRead === 0) return void this.destroy(new Error('spooled body shorter than recorded'));
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        },
        (err: Error) => this.destroy(err),
      );
    },
  });
}

class Spool {
  private chunks: Buffer[] = [];
  private reserved = 0;
  private file: FileHandle | undefined;
  size = 0;
  private closed = false;

  constructor(private readonly options: SpoolOptions) {}

  /** Disk writes in order, one at a time (a chunk can arrive while the file is being opened). */
  private writing: Promise<void> | undefined;

  /** Take one chunk; returns a promise only when it had to touch the disk. */
  add(chunk: Buffer): Promise<void> | undefined {
    this.size += chunk.length;
    const { bufferBytes, budget, memoryLimit } = this.options;
    if (this.writing === undefined && this.size <= bufferBytes && budget.tryReserve(chunk.length, memoryLimit)) {
      this.reserved += chunk.length;
      this.chunks.push(chunk);
      return undefined;
    }
    const offset = this.size - chunk.length;
    this.writing = (this.writing ?? Promise.resolve()).then(() => this.toDisk(chunk, offset));
    return this.writing;
  }

  private async toDisk(chunk: Buffer, offset: number): Promise<void> {
    if (this.closed) return;
    if (this.file === undefined) {
      this.file = await tempFile(this.options);
      const held = Buffer.concat(this.chunks);
      this.chunks = [];
      this.options.budget.release(this.reserved);
      this.reserved = 0;
      await this.write(held, 0);
    }
    await this.write(chunk, offset);
  }

  private async write(buf: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await (this.file as FileHandle).write(buf, done, buf.length - done, position + done);
      done += bytesWritten;
    }
  }

  /** Resolves when every chunk taken so far is on disk. */
  flushed(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  result(): SpooledBody {
    const file = this.file;
    const size = this.size;
    const buffer = file === undefined ? (this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, size)) : undefined;
    this.chunks = [];
    return {
      size,
      onDisk: file !== undefined,
      open: () => buffer ?? fileStream(file as FileHandle, size),
      close: () => this.close(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.budget.release(this.reserved);
    this.reserved = 0;
    this.chunks = [];
    await this.writing?.catch(() => undefined); // a write in flight finishes (or fails) first
    await this.file?.close();
  }
}

/**
 * A body already whole in the request's buffer and unread (`wholeBody`, the engine listener's
 * request) is taken at once, with no listeners, timer or flowing-mode ticks. Over the size
 * limit it is left to the stream path, which answers it as for any body.
 */
function takeWhole(body: Buffer, spool: Spool): Promise<SpooledBody> {
  const write = body.length === 0 ? undefined : spool.add(body);
  if (write === undefined) return Promise.resolve(spool.result());
  return spool.flushed().then(
    () => spool.result(),
    async (err: unknown) => {
      await spool.close();
      throw localFailure(err);
    },
  );
}

/** Read the whole body into memory and/or a temp file, or reject with a BalancerError. */
export function spoolBody(req: BodySource, options: SpoolOptions): Promise<SpooledBody> {
  const limit = options.maxBytes > 0 ? options.maxBytes : Number.POSITIVE_INFINITY;
  if (declaredLength(req) > limit) return Promise.reject(bodyTooLarge(options.maxBytes));
  const spool = new Spool(options);
  if (req.readableEnded) return Promise.resolve(spool.result());
  if (req.destroyed) return Promise.reject(clientClosed());
  const whole = req.wholeBody?.(limit);
  if (whole !== undefined) return takeWhole(whole, spool);
  return new Promise<SpooledBody>((resolve, reject) => {
    let settled = false;
    const cleanup = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      return true;
    };
    const fail = (err: Error): void => {
      if (!cleanup()) return;
      req.pause();
      void spool.close().finally(() => reject(err));
    };
    const timer = idleTimer(options.idleTimeoutMs, fail);
    const finish = (): void => {
      if (cleanup()) resolve(spool.result());
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      timer?.refresh();
      if (spool.size + buf.length > limit) return fail(bodyTooLarge(options.maxBytes));
      const write = spool.add(buf);
      if (write === undefined) return;
      req.pause(); // backpressure: the socket waits for the disk
      write.then(
        () => {
          if (!settled && !req.readableEnded) req.resume();
        },
        (err: unknown) => fail(localFailure(err)),
      );
    };
    const onEnd = (): void => {
      spool.flushed().then(finish, (err: unknown) => fail(localFailure(err)));
    };
    // A client that goes away mid-upload: node emits `error` (ECONNRESET "aborted") and `close`.
    const onError = (): void => fail(clientClosed());
    const onClose = (): void => {
      if (!req.readableEnded) fail(clientClosed());
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
