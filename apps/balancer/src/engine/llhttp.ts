import { createRequire } from 'node:module';

/**
 * Node's llhttp binding (`HTTPParser` from `_http_common`, internal to Node): the one import of
 * it, shared by the request parser (`request-parser.ts`) and the upstream response parser
 * (`upstream/response-parser.ts`). Each of those pins the part it uses with a test per Node major.
 */
export interface LlhttpError extends Error {
  code?: string;
  reason?: string;
  /** Where in the input llhttp stopped. */
  bytesParsed?: number;
}

export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(chunk: Buffer): number | LlhttpError;
  finish(): number | LlhttpError | undefined;
  close(): void;
  /**
   * node:http's way of reading a socket: the parser becomes the stream listener of `handle`
   * (a `net.Socket`'s `_handle`), so every read is executed natively into one shared buffer and
   * only `kOnExecute(bytes parsed | error)` reaches JS: no 'data' event, no Buffer per read.
   * EOF and read errors still go to the socket's JS stream ('end', 'error').
   */
  consume(handle: object): void;
  /** The socket's JS stream reads its handle again. */
  unconsume(): void;
  /** A copy of the read being executed (valid inside `kOnExecute` only). */
  getCurrentBuffer(): Buffer;
  [key: number]: unknown;
}

export interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

export const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: NativeParserClass };

/** What a parser hears, with a head's pieces joined (llhttp hands over more than 32 header pairs, and a long URL, in pieces). */
export interface ParserCallbacks {
  onMessageBegin?(): void;
  /**
   * The head is complete. Returns llhttp's answer: 0 = go on, 1 = no body (the answer to a
   * HEAD), 2 = no body and stop right after this head (llhttp's upgrade pause).
   */
  onHeadersComplete(
    versionMajor: number,
    versionMinor: number,
    rawHeaders: string[],
    method: number,
    url: string,
    status: number,
    upgrade: boolean,
    keepAlive: boolean,
  ): number;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

/** A parser of `type` (REQUEST or RESPONSE), strict (`kLenientNone`), its callback table written once here. */
export function createNativeParser(type: number, maxHeaderSize: number, callbacks: ParserCallbacks): NativeParser {
  const parser = new HTTPParser();
  parser.initialize(type, RESOURCE, maxHeaderSize, HTTPParser.kLenientNone);
  let pending: string[] = [];
  let pendingUrl = '';
  parser[HTTPParser.kOnHeaders] = (headers: string[], url: string): void => {
    pending = pending.concat(headers);
    pendingUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    method: number,
    url: string | undefined,
    status: number,
    _message: unknown,
    upgrade: boolean,
    keepAlive: boolean,
  ): number => {
    const rawHeaders = headers === undefined ? pending : pending.length === 0 ? headers : pending.concat(headers);
    const fullUrl = url === undefined ? pendingUrl : pendingUrl + url;
    pending = [];
    pendingUrl = '';
    return callbacks.onHeadersComplete(versionMajor, versionMinor, rawHeaders, method, fullUrl, status, upgrade, keepAlive);
  };
  if (callbacks.onMessageBegin !== undefined) parser[HTTPParser.kOnMessageBegin] = callbacks.onMessageBegin;
  parser[HTTPParser.kOnBody] = callbacks.onBody;
  parser[HTTPParser.kOnMessageComplete] = (): void => {
    pending = []; // trailers: consumed, not relayed (as node:http's client and undici)
    callbacks.onMessageComplete();
  };
  parser[HTTPParser.kOnExecute] = noop;
  return parser;
}

/**
 * An LF in `buf` before `bytesParsed`, where llhttp stopped (the whole buffer when it did not
 * say): the request line of a head that overflowed ended, so the overflow is the header fields'
 * (431), not the line's (414). Shared by the engine's request parser and the node listener.
 */
export function lineEndsBefore(buf: Buffer, bytesParsed: number | undefined): boolean {
  const i = buf.indexOf(0x0a);
  return i !== -1 && (bytesParsed === undefined || i < bytesParsed);
}

/** A resource object for async hooks, shared: the engine does not use them. */
const RESOURCE = {};
const noop = (): void => undefined;
