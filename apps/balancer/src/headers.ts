import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { REQUEST_ID_HEADER } from './trace/trace-context.js';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, the list Go's httputil.ReverseProxy strips) are never
 * forwarded, in either direction, nor any header named in `Connection`. `expect` is answered
 * by node:http itself (100-continue) and is not relayed; HTTP/2 pseudo-headers (`:path`…)
 * never go to an HTTP/1.1 upstream.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

const REQUEST_ONLY: ReadonlySet<string> = new Set(['expect']);
/** The balancer answers with its own `X-Request-Id` (the one it logged and sent upstream). */
const SET_BY_BALANCER: ReadonlySet<string> = new Set([REQUEST_ID_HEADER]);

type HeaderValue = string | string[] | number | undefined;
export type ForwardHeaders = Record<string, string | string[]>;

/** Lower-cased header names listed in a `Connection` header value. */
export function connectionTokens(value: HeaderValue): Set<string> {
  const tokens = new Set<string>();
  if (value === undefined) return tokens;
  const joined = Array.isArray(value) ? value.join(',') : String(value);
  for (const token of joined.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') tokens.add(name);
  }
  return tokens;
}

const NONE: ReadonlySet<string> = new Set();
/** The usual `Connection` values, parsed once (they name no end-to-end header). */
const COMMON_CONNECTION: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  ['keep-alive', 'close'].map((v) => [v, connectionTokens(v)]),
);

function namedByConnection(value: HeaderValue): ReadonlySet<string> {
  if (value === undefined) return NONE;
  return (typeof value === 'string' ? COMMON_CONNECTION.get(value) : undefined) ?? connectionTokens(value);
}

/**
 * The one rule for "not relayed", used by every copy (requests, responses from an object,
 * responses from the engine's raw pairs): an HTTP/2 pseudo-header, a hop-by-hop header, one
 * named in `Connection`, or one the caller's direction skips. `lower` is the lower-cased name.
 */
function notRelayed(lower: string, named: ReadonlySet<string>, skip: ReadonlySet<string>): boolean {
  return lower.charCodeAt(0) === 0x3a /* ':' */ || HOP_BY_HOP.has(lower) || named.has(lower) || skip.has(lower);
}

/** Hot path: one pass over the keys, no entries pairs, no Set unless there is a `Connection` header. */
function copyEndToEnd(
  headers: Record<string, HeaderValue>,
  skip: ReadonlySet<string>,
): ForwardHeaders {
  const named = namedByConnection(headers.connection);
  const out: ForwardHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (notRelayed(lower, named, skip)) continue;
    out[lower] = typeof value === 'number' ? String(value) : value;
  }
  return out;
}

/**
 * Request headers to send upstream (before X-Forwarded-* are added). `Host` is never dropped
 * because `Connection` names it (`Connection: host` would otherwise make the upstream see the
 * peer's address as the host).
 */
export function requestHeadersForUpstream(headers: IncomingHttpHeaders): ForwardHeaders {
  const out = copyEndToEnd(headers, REQUEST_ONLY);
  if (out.host === undefined) {
    const host = headers.host ?? headers[':authority'];
    if (typeof host === 'string') out.host = host;
  }
  return out;
}

/** Response headers to relay to the client. */
export function responseHeadersForClient(
  headers: IncomingHttpHeaders | OutgoingHttpHeaders | Record<string, HeaderValue>,
): ForwardHeaders {
  return copyEndToEnd(headers as Record<string, HeaderValue>, SET_BY_BALANCER);
}

/**
 * Response headers to relay, straight from the raw name/value pairs the engine's response
 * parser gives (one pass to find `Connection`, one to copy; no intermediate header object):
 * the same object as `responseHeadersForClient` of those pairs joined as undici hands them to
 * its handlers (lower-case names, repeats as arrays in order), so both upstream clients relay
 * the same headers.
 */
export function responseHeadersFromRaw(raw: readonly string[]): ForwardHeaders {
  let connection: string | string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const value = raw[i + 1] as string;
    if (connection === undefined) connection = value;
    else if (typeof connection === 'string') connection = [connection, value];
    else connection.push(value);
  }
  const named = namedByConnection(connection);
  const out: ForwardHeaders = {};
  for (let i = 0; i < raw.length; i += 2) {
    const lower = (raw[i] as string).toLowerCase();
    if (notRelayed(lower, named, SET_BY_BALANCER)) continue;
    const value = raw[i + 1] as string;
    const prev = out[lower];
    if (prev === undefined) out[lower] = value;
    else if (typeof prev === 'string') out[lower] = [prev, value];
    else prev.push(value);
  }
  return out;
}
