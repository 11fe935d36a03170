import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { BalancerError } from '../errors.js';

/**
 * Request body limits for bodies whose size is not (or not honestly) announced: chunked
 * uploads and streams past Content-Length checks. NGINX answers 413 for
 * `client_max_body_size` and 408 for `client_body_timeout` (idle time between two reads).
 * Both errors carry `connection: close`: the unread rest of the body is never drained.
 * `maxBytes <= 0` disables the size limit (NGINX `client_max_body_size 0`).
 */

export interface ReadBodyOptions {
  maxBytes: number;
  /** Longest silence between two chunks; 0 disables. */
  idleTimeoutMs: number;
}

/**
 * A request whose body may already be whole in memory (the engine listener's request: a body
 * that came with its head is pushed before the handler runs). `wholeBody(maxBytes)` takes it
 * out of the stream (which then ends) when it is complete, unread, never flowing and at most
 * `maxBytes` long; otherwise it answers `undefined` and leaves the stream as it was.
 */
export interface WholeBodySource {
  wholeBody(maxBytes: number): Buffer | undefined;
}

/** The part of an IncomingMessage this module reads (and, from the engine, `wholeBody`). */
export type BodySource = Readable & { headers?: Record<string, string | string[] | undefined> } & Partial<WholeBodySource>;

const CLOSE = { connection: 'close' } as const;

export function bodyTooLarge(maxBytes: number): BalancerError {
  return new BalancerError('BODY_TOO_LARGE', `request body larger than ${maxBytes} bytes`, { ...CLOSE });
}

export function clientClosed(): BalancerError {
  return new BalancerError('CLIENT_CLOSED_REQUEST', 'client closed the connection before the body ended', {
    ...CLOSE,
  });
}

export function declaredLength(req: BodySource): number {
  const raw = req.headers?.['content-length'];
  // Stryker disable next-line ConditionalExpression: Number(undefined) is NaN too, and node gives content-length as a string or not at all
  const n = typeof raw === 'string' ? Number(raw) : Number.NaN;
  // Stryker disable next-line UnaryOperator: callers compare with a limit of at least 1, so -1 and +1 both mean 'not declared'
  return Number.isFinite(n) ? n : -1;
}

/** An unref'd idle timer (or none for 0 ms); `refresh()` restarts it. */
export function idleTimer(ms: number, onIdle: (err: BalancerError) => void): NodeJS.Timeout | undefined {
  if (ms <= 0) return undefined;
  const err = () => new BalancerError('REQUEST_TIMEOUT', `no body data for ${ms} ms`, { ...CLOSE });
  return setTimeout(() => onIdle(err()), ms).unref();
}

/** Read the whole body into one Buffer, or reject with BODY_TOO_LARGE / REQUEST_TIMEOUT. */
export function readBody(req: BodySource, options: ReadBodyOptions): Promise<Buffer> {
  const limit = options.maxBytes > 0 ? options.maxBytes : Number.POSITIVE_INFINITY;
  if (declaredLength(req) > limit) return Promise.reject(bodyTooLarge(options.maxBytes));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(clientClosed());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const fail = (err: Error): void => {
      cleanup();
      req.pause();
      reject(err);
    };
    const timer = idleTimer(options.idleTimeoutMs, fail);
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (received > limit) return fail(bodyTooLarge(options.maxBytes));
      chunks.push(buf);
      timer?.refresh();
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, received));
    };
    const onClose = (): void => {
      // Stryker disable next-line ConditionalExpression: onEnd removes this listener before a close can follow the end
      if (!req.readableEnded) fail(clientClosed());
    };
    // A client that goes away mid-upload: node emits `error` (ECONNRESET "aborted"), then `close`.
    // Stryker disable next-line ArrowFunction: node destroys a stream on error, and the close that follows rejects with the same error
    const onError = (): void => fail(clientClosed());
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Pass the body through unbuffered, erroring with BODY_TOO_LARGE as soon as more than
 * `maxBytes` went by. The source is unpiped and paused (not destroyed), so the socket stays
 * usable for the 413 answer. Source errors and a premature close are forwarded.
 */
export function limitStream(req: BodySource, maxBytes: number): Readable {
  const limit = maxBytes > 0 ? maxBytes : Number.POSITIVE_INFINITY;
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      seen += chunk.length;
      if (seen <= limit) return cb(null, chunk);
      req.unpipe(out);
      req.pause();
      cb(bodyTooLarge(maxBytes));
    },
  });
  // Stryker disable next-line BlockStatement: node destroys a stream on error, and the close that follows destroys `out` with the same error
  const onError = (): void => {
    out.destroy(clientClosed());
  };
  const onClose = (): void => {
    if (!req.readableEnded) out.destroy(clientClosed());
  };
  req.once('error', onError).once('close', onClose);
  out.once('close', () => req.off('error', onError).off('close', onClose));
  if (declaredLength(req) > limit) {
    process.nextTick(() => out.destroy(bodyTooLarge(maxBytes)));
    return out;
  }
  return req.pipe(out);
}
