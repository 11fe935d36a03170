import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WholeBodySource } from '../../limits/body.js';
import type { RequestHead } from '../request-parser.js';

/**
 * The request object the request path reads: node:http's own `IncomingMessage`, filled from
 * the engine parser's head the way node:http's parser fills it (`_addHeaderLines`: the same
 * lazy `headers` with node's rules for repeated fields), so every reader of `req` (limits,
 * forwarding, the spool, the walk) sees exactly what it sees on the node listener. Body bytes
 * are pushed by the connection; reading resumes the socket (node:http's `_read`).
 */
interface NodeIncoming extends IncomingMessage {
  _addHeaderLines(headers: string[], n: number): void;
  _dump(): void;
}

/** node:http's `IncomingMessage` plus the typed way to its body when it came whole (the spool's fast path). */
export class EngineRequest extends IncomingMessage implements WholeBodySource {
  wholeBody(maxBytes: number): Buffer | undefined {
    if (!this.complete || this.readableFlowing !== null || this.readableDidRead || this.readableLength > maxBytes) return undefined;
    const chunk: unknown = this.read();
    if (chunk === null) return EMPTY;
    return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)); // a string only after setEncoding
  }
}

const EMPTY = Buffer.alloc(0);

export function incomingFor(socket: Socket, head: RequestHead): EngineRequest {
  const req = new EngineRequest(socket) as EngineRequest & NodeIncoming;
  req.method = head.method;
  req.url = head.url;
  req.httpVersionMajor = head.versionMajor;
  req.httpVersionMinor = head.versionMinor;
  req.httpVersion = `${head.versionMajor}.${head.versionMinor}`;
  req._addHeaderLines(head.rawHeaders, head.rawHeaders.length);
  return req;
}

const ignoreLateError = (): void => undefined;

/**
 * Fail a request whose body will not come (the client left, or its input turned malformed).
 * node:http emits a request's error only when someone listens (`onError` in
 * `_http_incoming.js`), but it counts the listeners one tick before it emits: a consumer that lets
 * go in between (the walk ended and the body copy stopped) would turn the error into an uncaught
 * exception, and that is the whole process. So the failed request keeps one listener that
 * ignores it; whoever still listens gets the error as before. `detachSocket`: the connection keeps
 * its socket for its own answer (a 400 on a malformed body), so destroying the request must not
 * destroy it (node:http's `abortIncoming` does the same for a socket it answers on).
 */
export function failRequest(req: IncomingMessage, err: Error, detachSocket: boolean): void {
  if (detachSocket) (req as { socket: unknown }).socket = null;
  req.on('error', ignoreLateError);
  req.destroy(err);
}

/** Read and drop what is left of a body nobody reads (node:http's `_dump` after the response). */
export function dumpBody(req: IncomingMessage): void {
  (req as NodeIncoming)._dump();
}

/** The head as it came (names and values as sent, latin1), for handing the connection to node:http. */
export function serialiseRequestHead(head: RequestHead): string {
  let text = `${head.method} ${head.url} HTTP/${head.versionMajor}.${head.versionMinor}\r\n`;
  const raw = head.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) text += `${raw[i] as string}: ${raw[i + 1] as string}\r\n`;
  return `${text}\r\n`;
}
