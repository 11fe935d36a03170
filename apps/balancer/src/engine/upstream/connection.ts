import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { createResponseParser, type ResponseParser } from './response-parser.js';
import type { SerialisedHead } from './request-head.js';
import { UPSTREAM_FAILURES, upstreamFailure } from './failures.js';
import { writeBody, type BodyWriter } from './body-writer.js';
import { ExactDeadline } from '../../exact-timer.js';

/**
 * One upstream socket the engine owns, one request at a time (as undici with `pipelining: 1`):
 * it writes a serialised head and the body, frames the response with llhttp and reports to
 * the exchange's sink. When the response ended it tells its owner (the pool) whether the
 * socket may carry another request: only when the response was read to its framed end, the
 * peer keeps the connection alive (HTTP/1.1, no `Connection: close`; llhttp's keep-alive flag)
 * and the request body was sent whole. A response that starts while none is awaited (a second
 * answer nobody asked for, bytes on an idle socket) makes the socket unusable: it is destroyed.
 */
export interface ResponseSink {
  /** Final response head (1xx are skipped). */
  onHead(status: number, rawHeaders: string[]): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
  /** The exchange failed; the socket is already destroyed. */
  onError(err: Error): void;
}

export interface ConnectionOwner {
  /** The exchange ended; `reusable` says whether the socket may serve another request. */
  release(conn: UpstreamConnection, reusable: boolean): void;
  /** The socket closed (for an idle one: leave the idle list). */
  closed(conn: UpstreamConnection): void;
}

export interface ConnectionOptions {
  bodyIdleMs: number;
  maxHeaderSize: number;
}

type Phase = 'idle' | 'head' | 'body' | 'done';

export class UpstreamConnection {
  private readonly parser: ResponseParser;
  private sink: ResponseSink | undefined;
  private phase: Phase = 'idle';
  private headRequest = false;
  private informational = false;
  private keepAlive = false;
  private completed = false;
  /** Bytes after the response (a second answer, garbage): the socket is never reused. */
  private dirty = false;
  private body: BodyWriter | undefined;
  private readonly bodyTimer: NodeJS.Timeout | undefined;
  /** The headers timeout of the request in flight: one timer for the socket, armed per request. */
  private readonly headersDeadline = new ExactDeadline(() => this.onHeadersTimeout());
  private headersTimeoutMs = 0;
  destroyed = false;
  /** Handed out by the pool and not yet given back. */
  leased = false;
  /**
   * The peer's `Keep-Alive: timeout=N` hint less a second (undici's `keepAliveTimeoutThreshold`):
   * the pool closes this socket idle before the peer does, so a request never races its close.
   */
  keepAliveHintMs: number | undefined;

  constructor(
    readonly socket: Socket,
    private readonly owner: ConnectionOwner,
    options: ConnectionOptions,
  ) {
    this.parser = createResponseParser(
      {
        onBegin: () => this.onBegin(),
        onHead: (status, raw, keepAlive, upgrade) => this.onHead(status, raw, keepAlive, upgrade),
        onBody: (chunk) => this.onBody(chunk),
        onComplete: () => this.onComplete(),
      },
      options.maxHeaderSize,
    );
    if (options.bodyIdleMs > 0) {
      this.bodyTimer = setTimeout(() => this.onBodyIdle(), options.bodyIdleMs);
      this.bodyTimer.unref();
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEof());
    socket.on('error', (err: Error) => this.fail(err));
    socket.on('close', () => this.onClose());
  }

  get busy(): boolean {
    return this.leased;
  }

  /**
   * Send one request; the sink hears about its response. Without a final response head within
   * `headersTimeoutMs` (0: no limit; never early) the exchange fails with UND_ERR_HEADERS_TIMEOUT
   * and the socket is destroyed.
   */
  send(head: SerialisedHead, body: Buffer | Readable | null, isHead: boolean, sink: ResponseSink, headersTimeoutMs = 0): void {
    if (this.destroyed) return sink.onError(upstreamFailure(UPSTREAM_FAILURES.CLOSED, 'upstream connection already closed'));
    this.headersTimeoutMs = headersTimeoutMs;
    if (headersTimeoutMs > 0) this.headersDeadline.arm(headersTimeoutMs);
    this.sink = sink;
    this.phase = 'head';
    this.headRequest = isHead;
    this.completed = false;
    this.informational = false;
    this.body = writeBody(this.socket, head, body, (err) => this.fail(err));
  }

  /** Backpressure from the client: stop reading the upstream socket. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Give up the exchange (cancelled, a timeout, the caller's own error): the socket is destroyed and the sink hears `err`. */
  abort(err?: Error): void {
    this.destroy(err);
  }

  destroy(err?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.phase = 'done';
    clearTimeout(this.bodyTimer);
    this.headersDeadline.clear();
    this.body?.stop();
    this.socket.destroy();
    const sink = this.sink;
    this.sink = undefined;
    if (sink !== undefined) sink.onError(err ?? upstreamFailure(UPSTREAM_FAILURES.CLOSED, 'upstream connection closed'));
    this.endLease(false);
    this.owner.closed(this); // out of the idle list now, not at 'close' (a later tick)
  }

  private endLease(reusable: boolean): void {
    if (!this.leased) return;
    this.leased = false;
    this.owner.release(this, reusable);
  }

  private onData(chunk: Buffer): void {
    const err = this.parser.execute(chunk);
    if (this.completed && !this.destroyed) {
      // The response this socket owed ended in this chunk: it is delivered whatever follows it.
      this.finishExchange(err === undefined && !this.dirty);
      if (err !== undefined || this.dirty) this.destroy();
    } else if (err !== undefined) this.fail(err);
  }

  private onBegin(): void {
    if (this.completed) this.dirty = true;
    else if (this.phase !== 'head') this.fail(upstreamFailure(UPSTREAM_FAILURES.UNEXPECTED_RESPONSE, 'upstream sent a response nobody asked for'));
  }

  private onHead(status: number, raw: string[], keepAlive: boolean, upgrade: boolean): boolean {
    if (this.destroyed || this.dirty || this.sink === undefined) return true;
    if (status < 200 && status !== 101) {
      this.informational = true; // 100 Continue, 103 Early Hints: the final answer follows
      return true;
    }
    if (upgrade || status === 101) {
      this.fail(upstreamFailure(UPSTREAM_FAILURES.UNEXPECTED_RESPONSE, `upstream answered ${status} (upgrade) to a plain request`));
      return true;
    }
    this.headersDeadline.disarm();
    this.keepAlive = keepAlive;
    this.keepAliveHintMs = keepAliveHint(raw);
    this.phase = 'body';
    this.bodyTimer?.refresh();
    this.sink.onHead(status, raw);
    return this.headRequest;
  }

  private onBody(chunk: Buffer): void {
    if (this.dirty) return;
    this.bodyTimer?.refresh();
    this.sink?.onBody(chunk);
  }

  private onComplete(): void {
    if (this.dirty) return;
    if (this.informational) {
      this.informational = false;
      return;
    }
    this.phase = 'done';
    this.completed = true;
  }

  /** After the parser returned: later bytes of the same chunk already failed the socket in onBegin. */
  private finishExchange(clean = true): void {
    const sink = this.sink;
    this.sink = undefined;
    this.phase = 'idle';
    this.completed = false;
    const bodySent = this.body?.finished ?? true;
    if (!bodySent) this.body?.stop();
    this.body = undefined;
    sink?.onEnd();
    this.endLease(clean && this.keepAlive && bodySent && !this.destroyed);
  }

  private onEof(): void {
    if (this.destroyed) return;
    // A close-delimited body ends here; anything else cut short is an error.
    const err = this.phase === 'body' ? this.parser.finish() : undefined;
    if (err !== undefined) return this.fail(err);
    if (this.completed) {
      this.keepAlive = false;
      return this.finishExchange();
    }
    this.fail(upstreamFailure(UPSTREAM_FAILURES.CLOSED, 'upstream closed the connection before the response ended'));
  }

  private onHeadersTimeout(): void {
    if (this.phase !== 'head' || this.destroyed) return;
    const ms = this.headersTimeoutMs;
    this.abort(upstreamFailure(UPSTREAM_FAILURES.HEADERS_TIMEOUT, `no upstream response headers within ${ms} ms`));
  }

  private onBodyIdle(): void {
    if (this.phase !== 'body' || this.destroyed) return;
    this.fail(upstreamFailure(UPSTREAM_FAILURES.BODY_TIMEOUT, 'upstream response body idle timeout'));
  }

  private fail(err: Error): void {
    this.destroy(err);
  }

  private onClose(): void {
    if (!this.destroyed) this.destroy();
    this.parser.close();
    this.owner.closed(this);
  }
}

const HINT_THRESHOLD_MS = 1000;

/** `Keep-Alive: timeout=5` → 4000 (ms); undefined without a usable hint. */
export function keepAliveHint(raw: readonly string[]): number | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue;
    const m = /(?:^|[\s,])timeout=(\d+)/i.exec(raw[i + 1] as string);
    if (m !== null) return Math.max(0, Number(m[1]) * 1000 - HINT_THRESHOLD_MS);
  }
  return undefined;
}
