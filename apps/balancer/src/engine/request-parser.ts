import type { Socket } from 'node:net';
import { createNativeParser, HTTPParser, lineEndsBefore, type LlhttpError } from './llhttp.js';

/**
 * HTTP/1.1 request framing for the engine's client half (`client/`): Node's own llhttp
 * binding, the parser `node:http` runs, behind this one small module, so the engine is exactly as strict as `node:http` (no CL with TE, no duplicate or
 * malformed CL, only `chunked` as final coding, no obs-fold, no bare LF, no CTL in names or
 * values) and frames a request exactly as it does. `HTTPParser` from `_http_common` is internal
 * to Node: this module is the only place that touches it, and `request-parser.test.ts` pins
 * the API it uses (run it on every Node major the images use). Why not a hand-written parser:
 * the README's "Engine: request parser" has the micro-benchmark.
 */
export interface RequestHead {
  method: string;
  url: string;
  versionMajor: number;
  versionMinor: number;
  /** Names and values as sent, flat: [name, value, name, value, …]. */
  rawHeaders: string[];
  upgrade: boolean;
  keepAlive: boolean;
}

export interface ParserEvents {
  onHead(head: RequestHead): void;
  /**
   * Asked before `onHead`: true makes llhttp stop right after this head (its body, if any, and
   * everything after it are left unparsed; `feed` returns the offset). The engine listener's hand-off.
   */
  stopAfter?(head: RequestHead): boolean;
  /** A new message starts (its first byte was read). */
  onMessageBegin?(): void;
  onBody(chunk: Buffer): void;
  onComplete(): void;
}

/** A parse error: llhttp's code (`HPE_…`) and the status to answer with. */
export interface ParseFailure {
  code: string;
  reason: string;
  /** 414: the head reached its size limit before the request line ended (llhttp says HPE_HEADER_OVERFLOW for both). */
  status: 400 | 413 | 414 | 431;
}

export interface RequestParser {
  /** Parse a chunk. Returns a failure once the stream is invalid (nothing after it is framed). */
  execute(chunk: Buffer): ParseFailure | undefined;
  /** Like `execute`, but returns how many bytes were parsed (less than the chunk after `stopAfter`). */
  feed(chunk: Buffer): number | ParseFailure;
  /** The peer closed its side: a message cut short is a failure. */
  finish(): ParseFailure | undefined;
  /**
   * llhttp reads `socket` itself, as node:http does (`consume(socket._handle)`): each read is
   * parsed natively and `onRead` hears how many bytes of it were parsed, or the failure. False
   * (nothing changed) when the socket has no stream handle.
   */
  consume(socket: Socket, onRead: (parsed: number | ParseFailure) => void): boolean;
  /** Inside `onRead` only: what is left of that read from `offset` (a copy). */
  rest(offset: number): Buffer;
  /** The socket's JS stream reads its handle again. */
  unconsume(): void;
  /** Frees the parser (after the current callback: never under its own stack). */
  close(): void;
}

/**
 * llhttp's method enum, by index (Node's internal `allMethods`, the same on Node 20, 22 and 24).
 * `_http_common.methods` is a different, shorter list: indexing it maps PRI to QUERY (found by
 * `engine-fuzz` on Node 22). `request-parser.test.ts` checks every method round-trips.
 */
export const LLHTTP_METHODS: readonly string[] = Object.freeze([
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR',
  'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
  'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH', 'QUERY',
]);

/** llhttp's "skip the body, treat as upgrade" answer to on_headers_complete: it pauses after the head. */
const STOP_AFTER_HEAD = 2;

const LF = 0x0a;

/**
 * `openLine` is the input in which llhttp failed with `err` when the request line was still open
 * as that read began (no LF since the message began in an earlier read), else undefined. A head
 * over `maxHeaderSize` whose line did not end in that read either, before the error, is a request
 * line too long: 414 as NGINX answers a line past its buffers, not the 431 of too many or too
 * large header fields.
 */
function failure(err: LlhttpError, openLine: Buffer | undefined): ParseFailure {
  const code = err.code ?? 'HPE_UNKNOWN';
  if (code === 'HPE_HEADER_OVERFLOW' && openLine !== undefined && !lineEndsBefore(openLine, err.bytesParsed)) {
    return { code, reason: 'request line too long', status: 414 };
  }
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400;
  return { code, reason: err.reason ?? err.message, status };
}

export function createRequestParser(events: ParserEvents, maxHeaderSize: number): RequestParser {
  /**
   * A message began and no LF of it was read yet, as far as reads tell: set when a message
   * begins, cleared by its head and by a read that leaves the head open but holds an LF (a head
   * split over reads is rare, so the scan is too). A read that also holds the end of an earlier
   * pipelined message clears it early: such a line then gets the 431 it got before.
   */
  let lineOpen = false;
  const afterRead = (read: () => Buffer): void => {
    if (lineOpen && read().includes(LF)) lineOpen = false;
  };
  const parser = createNativeParser(HTTPParser.REQUEST, maxHeaderSize, {
    onHeadersComplete(versionMajor, versionMinor, rawHeaders, method, url, _status, upgrade, keepAlive) {
      lineOpen = false;
      const head = { method: LLHTTP_METHODS[method] ?? 'UNKNOWN', url, versionMajor, versionMinor, rawHeaders, upgrade, keepAlive };
      const stop = events.stopAfter?.(head) === true;
      events.onHead(head);
      return stop ? STOP_AFTER_HEAD : 0;
    },
    onMessageBegin: () => {
      lineOpen = true;
      events.onMessageBegin?.();
    },
    onBody: (chunk) => events.onBody(chunk),
    onMessageComplete: () => events.onComplete(),
  });
  const current = (): Buffer => parser.getCurrentBuffer();
  const run = (chunk: Buffer): number | ParseFailure => {
    const r = parser.execute(chunk);
    if (typeof r !== 'number') return failure(r, lineOpen ? chunk : undefined);
    afterRead(() => chunk);
    return r;
  };
  let consumed = false;
  const unconsume = (): void => {
    if (!consumed) return;
    consumed = false;
    parser.unconsume();
  };
  return {
    execute(chunk) {
      const r = run(chunk);
      return typeof r === 'number' ? undefined : r;
    },
    feed: run,
    finish() {
      const r = parser.finish();
      return r instanceof Error ? failure(r, undefined) : undefined;
    },
    consume(socket, onRead) {
      const handle = (socket as { _handle?: { isStreamBase?: boolean } | null })._handle;
      if (handle?.isStreamBase !== true) return false;
      parser[HTTPParser.kOnExecute] = (r: number | LlhttpError): void => {
        if (typeof r !== 'number') return onRead(failure(r, lineOpen ? current() : undefined));
        afterRead(current);
        onRead(r);
      };
      parser.consume(handle);
      consumed = true;
      return true;
    },
    rest: (offset) => parser.getCurrentBuffer().subarray(offset),
    unconsume,
    close() {
      unconsume();
      setImmediate(() => parser.close());
    },
  };
}
