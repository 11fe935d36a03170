import type { ForwardHeaders } from '../../headers.js';
import { upstreamFailure } from './failures.js';

/**
 * The request head sent upstream, serialised once from the already rewritten headers
 * (`headers.ts`: hop-by-hop gone, X-Forwarded-* and trace headers set). Framing follows
 * undici's `client-h1.js`, so a peer sees the same request on either client:
 * - a Content-Length from the headers is kept; a buffered body without one gets its length;
 * - a streamed body of unknown length goes chunked;
 * - no body on POST/PUT/PATCH/QUERY: `content-length: 0` (some servers wait for a body);
 * - `connection: keep-alive`, and `host` set to the peer when the client sent none (HTTP/1.0).
 * Names and values are latin1 strings as node:http decoded them, written back as latin1, so
 * bytes round-trip. A CR, LF or NUL in a value or the target is refused (header injection):
 * node:http already rejects them from clients; this guards what the balancer adds.
 */
export type BodyFraming = 'none' | 'length' | 'chunked';

export interface SerialisedHead {
  head: string;
  framing: BodyFraming;
  /** Declared body length for `length` framing (checked against what is sent). */
  length: number;
}

const EXPECTS_PAYLOAD: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'QUERY']);
const INVALID = /[\r\n\0]/;

function invalid(what: string): Error {
  return upstreamFailure('UND_ERR_INVALID_ARG', `invalid ${what} for the upstream request`);
}

function field(name: string, value: string): string {
  if (INVALID.test(value)) throw invalid(`value of header ${name}`);
  return `${name}: ${value}\r\n`;
}

export type BodyShape = { kind: 'none' } | { kind: 'buffer'; length: number } | { kind: 'stream' };

export function serialiseHead(method: string, path: string, headers: ForwardHeaders, body: BodyShape, peerHost: string): SerialisedHead {
  if (INVALID.test(path) || path.includes(' ')) throw invalid('request target');
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let declared: string | undefined;
  let hasHost = false;
  for (const name in headers) {
    const value = headers[name] as string | string[];
    if (name === 'content-length') {
      declared = Array.isArray(value) ? value[0] : value;
      continue;
    }
    if (name === 'host') hasHost = true;
    if (typeof value === 'string') head += field(name, value);
    else for (const v of value) head += field(name, v);
  }
  if (!hasHost) head += `host: ${peerHost}\r\n`;
  head += 'connection: keep-alive\r\n';
  if (body.kind === 'buffer') {
    return { head: `${head}content-length: ${body.length}\r\n\r\n`, framing: body.length === 0 ? 'none' : 'length', length: body.length };
  }
  if (declared !== undefined) {
    const length = Number(declared);
    if (!/^\d+$/.test(declared) || !Number.isSafeInteger(length)) throw invalid('content-length');
    const framing = length === 0 || body.kind === 'none' ? 'none' : 'length';
    return { head: `${head}content-length: ${declared}\r\n\r\n`, framing, length };
  }
  if (body.kind === 'stream') return { head: `${head}transfer-encoding: chunked\r\n\r\n`, framing: 'chunked', length: -1 };
  return { head: EXPECTS_PAYLOAD.has(method) ? `${head}content-length: 0\r\n\r\n` : `${head}\r\n`, framing: 'none', length: 0 };
}
