import { once } from 'node:events';
import type { BalancerConfig } from '@fleet/config';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON-lines access log through pino, written like NGINX `access_log … buffer=… flush=…`:
 * lines collect in a SonicBoom buffer (`sync: false, minLength`) and go out when it fills,
 * on `periodicFlush` (unref'd, so it never holds the process), on `flush()` and on `close()`.
 * Paths in `skipPaths` (compared without the query string) are not logged (`access_log off`).
 * One line per request (`{"type":"access", ...entry}`) lists every upstream attempt.
 */

export interface AccessAttempt {
  peer: string;
  status?: number;
  error?: string;
  durationMs: number;
  /** The span id this attempt sent in its `traceparent`. */
  spanId?: string;
}

export interface AccessLogEntry {
  time: string | number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  clientIp: string;
  /** `X-Request-Id`: a trusted proxy's (when valid) or generated here. */
  requestId?: string;
  /** W3C trace id: continued from a trusted proxy's `traceparent`, or started here. */
  traceId?: string;
  /** The caller's span id, when a trace was continued. */
  parentId?: string;
  bytesOut?: number;
  route?: string;
  upstream?: string;
  /** An upgrade that became a tunnel: logged when it closed, with its whole duration. */
  tunnel?: boolean;
  attempts: AccessAttempt[];
}

export type AccessLogConfig = BalancerConfig['accessLog'];

export interface AccessLog {
  /** False when logging is off: callers can skip building entries on the hot path. */
  readonly enabled: boolean;
  write(entry: AccessLogEntry): void;
  /** Resolves once every line written so far has reached the destination. */
  flush(): Promise<void>;
  /** Flush, then close a destination this module opened (a given stream is left open). */
  close(): Promise<void>;
}

export interface AccessLogOptions {
  /** Bytes buffered before a write (default 4096, at most 16383). */
  bufferBytes?: number;
  /** Buffered lines are written at least this often, in ms (default 1000). */
  flushIntervalMs?: number;
  /** Destination write errors; default: process warning (the log never throws into requests). */
  onError?: (err: Error) => void;
}

/** A file path or fd (opened here, buffered and async) or a ready pino destination stream. */
export type AccessLogDestination = string | number | DestinationStream;


const NOOP: AccessLog = { enabled: false, write: () => undefined, flush: () => Promise.resolve(), close: () => Promise.resolve() };

function warn(err: Error): void {
  process.emitWarning(err.message, { code: 'ACCESS_LOG_WRITE_FAILED', detail: err.stack });
}

type FlushableStream = { flush(cb: (err?: Error | null) => void): void };

/**
 * fsync errors that only say the descriptor cannot be synced (pipes, ttys, sockets: stdout
 * under Docker, systemd or a supervisor). SonicBoom calls back with the fsync error after
 * the buffer was written, so these mean "written", not "lost".
 */
const UNSYNCABLE = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EROFS']);

/** Write out the buffered lines; a destination that cannot fsync is not an error. */
function flushWritten(stream: FlushableStream): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    stream.flush((err) => {
      const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
      if (err && !(code && UNSYNCABLE.has(code))) reject(err);
      else resolve();
    }),
  );
}

/** SonicBoom refuses a minLength at or above its maxWrite (16 KiB). */
const MAX_BUFFER = 16383;

function openBoom(dest: string | number, options: AccessLogOptions) {
  return pino.destination({
    dest,
    sync: false,
    minLength: Math.min(options.bufferBytes ?? 4096, MAX_BUFFER),
    periodicFlush: options.flushIntervalMs ?? 1000,
    mkdir: typeof dest === 'string',
  });
}

/** Own SonicBoom: remembers a failed open so nothing waits for a file that never opens. */
function ownDestination(dest: string | number, options: AccessLogOptions, onError: (err: Error) => void) {
  const boom = openBoom(dest, options);
  const state: { opened: boolean; closed: boolean; broken?: Error } = { opened: false, closed: false };
  boom.once('ready', () => (state.opened = true));
  let last: Error | undefined;
  boom.on('error', (err: Error) => {
    if (err === last) return; // pino's EPIPE filter re-emits the first error once more
    last = err;
    if (!state.opened) state.broken ??= err;
    onError(err);
  });
  const flush = async (): Promise<void> => {
    if (state.broken) throw state.broken;
    if (state.closed) return;
    if (!state.opened) await once(boom, 'ready');
    await flushWritten(boom);
  };
  const close = async (): Promise<void> => {
    // Never opened (already reported through onError): there is nothing to flush or close;
    // 'close' tells pino's exit hook to skip its flushSync of a stream that has no fd.
    if (state.broken) return void boom.emit('close');
    await flush();
    state.closed = true;
    const done = once(boom, 'close');
    boom.end();
    await done;
  };
  return { stream: boom as DestinationStream, flush, close, broken: () => state.broken !== undefined };
}

/** A stream the caller owns: flushed when it can be, never ended here. */
function givenDestination(stream: DestinationStream) {
  const flushable = stream as DestinationStream & { flush?: (cb?: (err?: Error) => void) => void };
  const flush = async (): Promise<void> => {
    if (typeof flushable.flush === 'function') await flushWritten(flushable as FlushableStream);
  };
  return { stream, flush, close: flush, broken: () => false };
}

export function createAccessLog(
  config: AccessLogConfig,
  destination: AccessLogDestination = 1,
  options: AccessLogOptions = {},
): AccessLog {
  if (!config.enabled) return NOOP;
  const onError = options.onError ?? warn;
  const dest =
    typeof destination === 'object' ? givenDestination(destination) : ownDestination(destination, options, onError);
  const logger: Logger = pino({ base: null, timestamp: false, formatters: { level: () => ({ type: 'access' }) } }, dest.stream);
  const skip = new Set(config.skipPaths);
  let closing: Promise<void> | undefined;

  const write = (entry: AccessLogEntry): void => {
    if (closing !== undefined || dest.broken()) return;
    const q = entry.path.indexOf('?');
    if (skip.has(q >= 0 ? entry.path.slice(0, q) : entry.path)) return;
    logger.info(entry);
  };

  const close = (): Promise<void> => (closing ??= dest.close());

  return { enabled: true, write, flush: dest.flush, close };
}
