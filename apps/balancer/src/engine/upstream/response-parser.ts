import { createNativeParser, HTTPParser, type LlhttpError } from '../llhttp.js';

/**
 * HTTP/1.1 response framing for the engine's upstream client: Node's own llhttp binding in
 * RESPONSE mode (the parser `node:http`'s client runs), pinned behind this one module as the
 * request side is (`../request-parser.ts`). Strict (`kLenientNone`): Content-Length together
 * with Transfer-Encoding, a duplicate or malformed Content-Length, a coding after `chunked`,
 * obs-fold, bare LF and CTLs are parse errors, so such a response is an upstream error and is
 * never relayed. llhttp frames by Content-Length, chunked (extensions and trailers consumed) or
 * until close (`finish()` at EOF); 1xx, 204 and 304 have no body, and `onHead` returning true
 * says "no body" for the answer to a HEAD. `response-parser.test.ts` pins the API on the Node
 * it runs on (CI: Node 20; the README says how to run it on 22 and 24).
 */
export interface ResponseEvents {
  /** The first byte of a response: the connection decides whether one was expected. */
  onBegin(): void;
  /** Returns true when this response has no body whatever its headers say (answer to HEAD). */
  onHead(status: number, rawHeaders: string[], keepAlive: boolean, upgrade: boolean): boolean;
  onBody(chunk: Buffer): void;
  onComplete(): void;
}

/** llhttp's code (`HPE_…`) as the error's `code`, so callers classify it like any other. */
export interface ResponseParseError extends Error {
  code: string;
}

export interface ResponseParser {
  /** Parse a chunk; returns the error once the stream is invalid. */
  execute(chunk: Buffer): ResponseParseError | undefined;
  /** The peer closed: ends a close-delimited body; a response cut short is an error. */
  finish(): ResponseParseError | undefined;
  close(): void;
}

function parseError(err: LlhttpError): ResponseParseError {
  const code = err.code ?? 'HPE_UNKNOWN';
  return Object.assign(new Error(`invalid upstream response: ${err.reason ?? err.message} (${code})`), { code });
}

export function createResponseParser(events: ResponseEvents, maxHeaderSize: number): ResponseParser {
  const parser = createNativeParser(HTTPParser.RESPONSE, maxHeaderSize, {
    onMessageBegin: () => events.onBegin(),
    onHeadersComplete: (_major, _minor, raw, _method, _url, status, upgrade, keepAlive) => (events.onHead(status, raw, keepAlive, upgrade) ? 1 : 0),
    onBody: (chunk) => events.onBody(chunk),
    onMessageComplete: () => events.onComplete(),
  });
  return {
    execute(chunk) {
      const r = parser.execute(chunk);
      return typeof r === 'number' ? undefined : parseError(r);
    },
    finish() {
      const r = parser.finish();
      return r instanceof Error ? parseError(r) : undefined;
    },
    close: () => parser.close(),
  };
}
