import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { BalancerErrorCode } from '../../errors.js';
import { clientErrorCode } from '../../limits/index.js';
import { closeAfterWrite } from '../../raw-response.js';
import { createRequestParser, type ParseFailure, type RequestHead, type RequestParser } from '../request-parser.js';
import { dumpBody, failRequest, incomingFor, serialiseRequestHead } from './request.js';
import { EngineResponse, type ResponseOwner } from './response.js';
import { SocketReader } from './socket-reader.js';

/**
 * One client connection on the engine listener, owned from the first byte: request heads and
 * bodies framed by the strict parser (`request-parser.ts`, llhttp as node:http runs it, reading
 * the socket's handle natively: `socket-reader.ts`), one
 * request handled at a time, in order. A request's body is pushed into its `IncomingMessage`
 * (the socket paused while the reader is behind: backpressure); the next request starts only
 * once the previous response is written and its body read (or dropped). Bytes pipelined behind
 * the request in flight are parsed as they arrive and queued, and the socket stops reading while
 * anything is queued (bounded: at most one read of input ahead). Parse errors are answered
 * (400/431 as node:http does, JSON body) in order and close the connection. A head the engine
 * does not serve (`handOff`: Upgrade, CONNECT, Expect, …) takes the connection to node:http with
 * the head and everything after it unshifted back onto the socket.
 */
export interface ConnectionTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface ConnectionDeps {
  handler(req: IncomingMessage, res: EngineResponse): void;
  /** True: this head goes to node:http (the connection with it). */
  handOff(head: RequestHead): boolean;
  /** Give the socket (its unread bytes unshifted) to node:http. */
  adopt(socket: Socket): void;
  /** Answer a client error (raw JSON, connection closed). */
  clientError(socket: Socket, code: BalancerErrorCode): void;
  maxHeaderSize: number;
  timeouts(): ConnectionTimeouts;
  closing(): boolean;
  now(): number;
  /** A socket error (logged at debug: resets are a client's right). */
  socketError(err: Error): void;
  /** The connection is over (closed or handed off). */
  onGone(conn: ClientConnection): void;
}

interface RequestItem {
  kind: 'request';
  head: RequestHead;
  chunks: Buffer[];
  complete: boolean;
  req?: IncomingMessage;
  res?: EngineResponse;
  responded?: boolean;
}
type Item = RequestItem | { kind: 'handoff'; head: RequestHead; rest: Buffer | undefined };

/**
 * The body of `req` fails with `err` (its readers see 'error' and 'close'), leaving the socket to
 * the connection: node's `IncomingMessage` would destroy its socket, and the 400 the connection
 * writes next would be lost.
 */
function aborted(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

export class ClientConnection implements ResponseOwner {
  private readonly parser: RequestParser;
  private readonly reader: SocketReader;
  private readonly queue: Item[] = [];
  private current: RequestItem | undefined;
  private parsing: RequestItem | undefined;
  private handoff: Extract<Item, { kind: 'handoff' }> | undefined;
  /** The parser stopped (hand-off or error): nothing more is framed. */
  private stopped = false;
  /** `handOff` said yes to the head being parsed. */
  private handingOff = false;
  private gone = false;
  private ended = false;
  private headSince: number;
  private messageSince: number;
  private idleSince = 0;
  /** A message's first bytes came and its head is not complete: not idle (node's drain leaves it too). */
  private inHead = false;
  private readonly onEnd = (): void => this.clientEnded();
  private readonly onClose = (): void => this.closed();
  /** A reset or a write after the peer left: the socket closes next ('close' cleans up). */
  private readonly onError = (err: Error): void => {
    this.deps.socketError(err);
    this.socket.destroy();
  };

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.headSince = this.messageSince = deps.now();
    this.parser = createRequestParser(
      {
        onMessageBegin: () => {
          this.headSince = this.messageSince = this.deps.now();
          this.idleSince = 0;
          this.inHead = true;
        },
        stopAfter: (head) => (this.handingOff = this.deps.handOff(head)),
        onHead: (head) => this.headParsed(head),
        onBody: (chunk) => this.bodyParsed(chunk),
        onComplete: () => this.messageParsed(),
      },
      deps.maxHeaderSize,
    );
    this.reader = new SocketReader(socket, this.parser, (parsed) => this.read(parsed));
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** Timeouts, checked by the listener's sweep: head (408), whole request (408), keep-alive (close). */
  check(now: number): void {
    if (this.gone) return;
    const t = this.deps.timeouts();
    const late = (since: number, ms: number): boolean => since > 0 && ms > 0 && now - since >= ms;
    if (late(this.headSince, t.headersTimeoutMs) || late(this.messageSince, t.requestTimeoutMs)) this.fail('REQUEST_TIMEOUT');
    else if (late(this.idleSince, t.keepAliveTimeoutMs)) this.socket.destroy();
  }

  /** Shutdown: an idle connection closes now; a busy one, or one whose head is arriving, after its response. */
  closeIfIdle(): void {
    if (!this.gone && !this.inHead && this.current === undefined && this.queue.length === 0) this.socket.destroy();
  }

  responseDone(close: boolean): void {
    const item = this.current as RequestItem;
    item.responded = true;
    if (close || this.deps.closing()) {
      this.detachParser();
      closeAfterWrite(this.socket);
      return;
    }
    if (!item.complete) return dumpBody(item.req as IncomingMessage); // next once its body is read
    this.current = undefined;
    if (this.queue.length > 0) process.nextTick(() => this.pump());
    else this.pump();
  }

  /**
   * A read was parsed (`parsed` bytes of it). After a head that goes to node:http, what is left
   * of the read is kept for it and the socket's stream takes the reading back (paused: later
   * bytes wait in it, behind the head and that rest, until node:http resumes it).
   */
  private read(parsed: number | ParseFailure): void {
    if (this.gone || (this.stopped && this.handoff === undefined)) return;
    if (typeof parsed !== 'number') this.parseFailed(parsed);
    else if (this.handoff !== undefined && this.handoff.rest === undefined) {
      this.handoff.rest = this.reader.rest(parsed);
      this.reader.release();
      this.socket.pause();
    }
    this.pump();
  }

  /** After `stopAfter` said whether this head goes to node:http (then llhttp stops right after it). */
  private headParsed(head: RequestHead): void {
    this.headSince = 0;
    this.inHead = false;
    if (this.handingOff) {
      this.stopped = true;
      this.handoff = { kind: 'handoff', head, rest: undefined };
      this.queue.push(this.handoff);
      return;
    }
    const item: RequestItem = { kind: 'request', head, chunks: [], complete: false };
    this.parsing = item;
    this.queue.push(item);
  }

  private bodyParsed(chunk: Buffer): void {
    const item = this.parsing as RequestItem;
    if (item.req === undefined) item.chunks.push(chunk);
    else if (!item.req.push(chunk)) this.socket.pause(); // resumed by the reader (`IncomingMessage._read`)
  }

  private messageParsed(): void {
    const item = this.parsing;
    this.parsing = undefined;
    this.messageSince = 0;
    if (item === undefined) return; // a head handed to node:http (llhttp ends it without a body)
    item.complete = true;
    if (item.req === undefined) return;
    item.req.complete = true;
    item.req.push(null);
    this.reader.bodyEnded();
    if (item.responded === true && this.current === item) {
      this.current = undefined;
      process.nextTick(() => this.pump());
    }
  }

  /**
   * The input is malformed: answered at once, as node:http does (its `clientError`), whatever is
   * in flight: a request whose body it cuts fails; a response not started yet is dropped for the
   * 400/431 (nothing queued behind it runs), one already started is cut (the socket destroyed).
   */
  private parseFailed(failure: ParseFailure): void {
    this.stopped = true;
    const cur = this.current;
    if (cur?.req !== undefined && !cur.complete) failRequest(cur.req, Object.assign(new Error(failure.reason), { code: failure.code }), true);
    this.answerFailure(failure);
  }

  private answerFailure(failure: ParseFailure): void {
    const code = failure.status === 414 ? 'URI_TOO_LONG' : clientErrorCode({ code: failure.code });
    if (code === null) this.socket.destroy();
    else this.fail(code);
  }

  /** A client error answered on the raw socket (or the socket destroyed when a response is half out). */
  private fail(code: BalancerErrorCode): void {
    const res = this.current?.res;
    this.detachParser();
    this.queue.length = 0;
    if (res?.headersSent === true) {
      this.socket.destroy();
      return;
    }
    res?.abandon();
    this.deps.clientError(this.socket, code);
  }

  /** Start what is queued, in order, while nothing is in flight. */
  private pump(): void {
    while (this.current === undefined && !this.gone) {
      const item = this.queue.shift();
      if (item === undefined) break;
      if (item.kind === 'handoff') return this.handOver(item);
      this.start(item);
    }
    if (this.gone) return;
    this.reader.hold(this.queue.length > 0); // bounded look-ahead: nothing more is read while requests wait
    if (this.queue.length > 0) return;
    if (this.current === undefined && this.parsing === undefined && this.headSince === 0) {
      if (this.ended) this.socket.end();
      else this.idleSince = this.deps.now();
    }
  }

  private start(item: RequestItem): void {
    const { head } = item;
    const req = incomingFor(this.socket, head);
    for (const chunk of item.chunks) req.push(chunk);
    item.chunks = [];
    if (item.complete) {
      req.complete = true;
      req.push(null);
    }
    const http11 = head.versionMajor === 1 && head.versionMinor >= 1;
    const keepAliveSeconds = Math.floor(this.deps.timeouts().keepAliveTimeoutMs / 1000);
    const res = new EngineResponse(this.socket, this, { method: head.method, http11, keepAlive: head.keepAlive, keepAliveSeconds });
    item.req = req;
    item.res = res;
    this.current = item;
    this.idleSince = 0;
    this.deps.handler(req, res);
  }

  /** node:http takes the connection: the head as it came and every byte after it go back onto the socket. */
  private handOver(item: Extract<Item, { kind: 'handoff' }>): void {
    this.release();
    const socket = this.socket;
    const head = Buffer.from(serialiseRequestHead(item.head), 'latin1');
    socket.pause();
    socket.unshift(item.rest === undefined || item.rest.length === 0 ? head : Buffer.concat([head, item.rest]));
    this.deps.adopt(socket);
    socket.resume();
  }

  private clientEnded(): void {
    this.ended = true;
    if (this.stopped) return;
    const failure = this.parser.finish();
    if (failure !== undefined && this.messageSince > 0) this.parseFailed(failure);
    this.pump();
  }

  private closed(): void {
    const cur = this.current;
    this.release();
    if (cur === undefined) return;
    if (cur.res !== undefined && !cur.res.writableEnded) cur.res.destroy();
    if (!cur.complete && cur.req !== undefined) failRequest(cur.req, aborted(), false);
  }

  /** Nothing more is framed; the socket's stream reads what is left (a closing connection drains it). */
  private detachParser(): void {
    this.reader.release();
    this.stopped = true;
    this.headSince = this.messageSince = this.idleSince = 0;
  }

  /** Stop owning the socket: listeners off, parser freed, the listener told. */
  private release(): void {
    if (this.gone) return;
    this.gone = true;
    this.detachParser();
    this.queue.length = 0;
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    this.parser.close();
    this.deps.onGone(this);
  }
}

