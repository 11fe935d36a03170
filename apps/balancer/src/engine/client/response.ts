import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { headAndBody, ONE_WRITE_MAX } from '../head-and-body.js';
import { serialiseResponseHead, type HeadContext, type ResponseFraming } from './response-head.js';

/**
 * The response of one request on an engine connection: the part of node:http's
 * `ServerResponse` the request path uses (`setHeader`/`getHeader`, `writeHead`, `write`, `end`,
 * `destroy`, `headersSent`, `writableEnded`, `destroyed`, `statusCode`, 'drain' and 'close'
 * events), written straight to the client socket. The head is serialised once and goes out with
 * the first body bytes in one write (corked); body bytes are written as they come (chunk-framed
 * when the length is unknown), never copied or re-serialised. `write` returns false while the
 * socket's buffer is over its high-water mark ('drain' follows), so a slow client pauses the
 * upstream. When the response is done (or the socket is gone) the owner is told once.
 */
export interface ResponseOwner {
  /** The response was written completely; `close`: the connection must close after it. */
  responseDone(close: boolean): void;
}

export type ResponseContext = HeadContext;

type HeaderValue = string | number | readonly string[];

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

export class EngineResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  private headers: Record<string, HeaderValue> = {};
  private pendingHead: string | undefined;
  private framing: ResponseFraming = 'none';
  private close = false;
  private waitingForDrain = false;
  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.emit('drain');
  };

  constructor(
    readonly socket: Socket,
    private readonly owner: ResponseOwner,
    private readonly context: ResponseContext,
  ) {
    super();
  }

  get writableNeedDrain(): boolean {
    return this.waitingForDrain;
  }

  setHeader(name: string, value: HeaderValue): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.headers[name.toLowerCase()];
  }

  hasHeader(name: string): boolean {
    return this.headers[name.toLowerCase()] !== undefined;
  }

  removeHeader(name: string): void {
    delete this.headers[name.toLowerCase()];
  }

  getHeaders(): Record<string, HeaderValue> {
    return { ...this.headers };
  }

  /** Serialises the head (throws on an invalid value, nothing written); it goes out with the first body bytes. */
  writeHead(status: number, headers?: Record<string, HeaderValue>): this {
    if (this.headersSent) throw Object.assign(new Error('headers already sent'), { code: 'ERR_HTTP_HEADERS_SENT' });
    // Merged in place, as node:http's writeHead does: no per-response copy of the header object.
    // A value refused by the serialiser leaves the merged headers set (node:http alike) and nothing written.
    const all = this.headers;
    if (headers !== undefined) for (const name in headers) all[name.toLowerCase()] = headers[name] as HeaderValue;
    const head = serialiseResponseHead(status, all, this.context);
    this.statusCode = status;
    this.headersSent = true;
    this.pendingHead = head.text;
    this.framing = head.framing;
    this.close = head.close;
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.writeBody(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (this.socket.writableNeedDrain) {
      if (!this.waitingForDrain) {
        this.waitingForDrain = true;
        this.socket.once('drain', this.onDrain);
      }
      return false;
    }
    return true;
  }

  end(chunk?: Buffer | string): this {
    if (this.writableEnded || this.destroyed) return this;
    const body = chunk === undefined ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!this.headersSent) {
      if (this.headers['content-length'] === undefined) this.headers['content-length'] = body?.length ?? 0;
      this.writeHead(this.statusCode);
    }
    const socket = this.socket;
    socket.cork();
    if (body !== undefined && body.length > 0) this.writeBody(body);
    else this.flushHead();
    if (this.framing === 'chunked') socket.write(LAST_CHUNK, 'latin1');
    socket.uncork();
    this.writableEnded = true;
    if (this.waitingForDrain) socket.off('drain', this.onDrain);
    this.emit('finish');
    this.emit('close');
    this.owner.responseDone(this.close);
    return this;
  }

  /** The socket went away before the response was complete (or the request path gave up). */
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.socket.destroyed) this.socket.destroy();
    if (this.waitingForDrain) this.socket.off('drain', this.onDrain);
    if (!this.writableEnded) this.emit('close');
    return this;
  }

  /** The connection answered a client error itself: this response is over without touching the socket. */
  abandon(): void {
    if (this.destroyed || this.writableEnded) return;
    this.destroyed = true;
    if (this.waitingForDrain) this.socket.off('drain', this.onDrain);
    this.emit('close');
  }

  private flushHead(): void {
    if (this.pendingHead === undefined) return;
    this.socket.write(this.pendingHead, 'latin1');
    this.pendingHead = undefined;
  }

  private writeBody(chunk: Buffer): void {
    const socket = this.socket;
    if (this.framing === 'none') return this.flushHead(); // HEAD, 204, 304: the body is not sent
    if (chunk.length === 0) return;
    if (this.framing === 'length' && this.pendingHead !== undefined && chunk.length <= ONE_WRITE_MAX) {
      socket.write(headAndBody(this.pendingHead, chunk));
      this.pendingHead = undefined;
      return;
    }
    socket.cork();
    this.flushHead();
    if (this.framing === 'chunked') {
      socket.write(chunk.length.toString(16) + CRLF, 'latin1');
      socket.write(chunk);
      socket.write(CRLF, 'latin1');
    } else socket.write(chunk);
    socket.uncork();
  }
}
