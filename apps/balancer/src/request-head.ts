import type { IncomingMessage } from 'node:http';
import { BalancerError } from './errors.js';

/**
 * Request-head rules node:http's parser lets through, answered before anything else runs, as
 * NGINX answers them (or, where NGINX is silent or lenient, as the RFC says):
 * - `HTTP/2.0` (or any 2+) on an HTTP/1 connection → 505; an HTTP/0.9-style line (no
 *   version) → 400 (NGINX would answer in 0.9 form, without a status line);
 * - a request line (`METHOD target HTTP/1.1`; on HTTP/2 the same line built from `:method` and
 *   `:path`) longer than `limits.maxRequestLineSize` → 414, the connection closed (NGINX: a
 *   line over one `large_client_header_buffers` buffer, 8k). A line longer than
 *   `limits.maxHeaderSize` never gets here: the parser cuts it first (414 too, see
 *   `engine/request-parser.ts`);
 * - HTTP/1.1 without `Host`, or several `Host` headers → 400 (RFC 9112 §3.2); a `Host` NGINX
 *   refuses as invalid (`ngx_http_validate_host`: empty, `/`, a space or control character,
 *   `..`, nothing before the port) → 400 too, before it reaches a `hash`, `X-Forwarded-Host`,
 *   the access log or an upstream; on HTTP/2 the same rules for `:authority` (or `Host`), 400;
 * - HTTP/1.0 with `Transfer-Encoding` → 400, the connection closed (RFC 9112 §6.1: faulty
 *   framing; NGINX answers it 400 too), although llhttp framed its body as chunked;
 * - more header lines than `limits.maxHeaderCount` → 431 (node would drop the rest silently,
 *   a late `Content-Length` with them);
 * - an HTTP/2 header list over `limits.maxHeaderSize` (RFC 9113 §6.5.2 size: name + value + 32
 *   per field) → 431: node enforces the SETTINGS limit only once the client has acknowledged
 *   it, so the streams a client sends in its first flight are checked here;
 * - `TRACE` → 405 (NGINX: reflected headers are a cross-site tracing risk);
 * - `OPTIONS *` → 200 with `Allow`, answered here (it asks about the server, not a resource).
 * `CONNECT` never reaches the request handler: node emits `connect`, answered 405 in server.ts.
 */
export type HeadCheck = BalancerError | 'options-star' | null;

export const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** How many header lines are named `lower` (a lower-case name). */
function fieldCount(raw: readonly string[], lower: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === lower.length && name.toLowerCase() === lower) n += 1;
  }
  return n;
}

/**
 * NGINX's `ngx_http_validate_host`, as it answers: false for a host NGINX refuses with 400
 * ("client sent invalid host header"): empty or only a port (`:80`), a `/`, a space, a control
 * character or DEL, two dots in a row, or only a dot. A trailing dot is allowed (`a.`), as are
 * an IPv6 literal (`[::1]:8080`) and characters NGINX lets through (`_`, `@`, `\`).
 */
export function validHost(host: string): boolean {
  let hostLength = host.length;
  let state = 0; // 0: name, 1: IPv6 literal, 2: the port (not checked past its `:`)
  let dot = -2;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 0x2e) {
      if (dot === i - 1) return false;
      dot = i;
    } else if (c === 0x3a) {
      if (state === 0) {
        hostLength = i;
        state = 2;
      }
    } else if (c === 0x5b) {
      if (i === 0) state = 1;
    } else if (c === 0x5d) {
      if (state === 1) {
        hostLength = i + 1;
        state = 2;
      }
    } else if (c === 0x2f || c <= 0x20 || c === 0x7f) return false;
  }
  if (dot === hostLength - 1) hostLength -= 1;
  return hostLength > 0;
}

const INVALID_HOST = 'invalid Host header (empty, only a port, "/", "..", a space or a control character)';

/** RFC 9113 §6.5.2: the size of a header list counts 32 octets of overhead per field. */
function headerListSize(raw: readonly string[]): number {
  let size = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) size += (raw[i] as string).length + (raw[i + 1] as string).length + 32;
  return size;
}

export interface HeadLimits {
  maxHeaderCount: number;
  maxHeaderSize: number;
  maxRequestLineSize: number;
}

/** `METHOD SP target SP HTTP/x.y`: the method, the target, two spaces and the 8-byte version. */
function requestLineSize(req: IncomingMessage): number {
  return (req.method ?? '').length + (req.url ?? '').length + 10;
}

export function checkRequestHead(req: IncomingMessage, { maxHeaderCount, maxHeaderSize, maxRequestLineSize }: HeadLimits): HeadCheck {
  if (req.httpVersionMajor >= 2 && (req as { stream?: unknown }).stream === undefined) {
    return new BalancerError('HTTP_VERSION_NOT_SUPPORTED', `HTTP/${req.httpVersion} is not spoken on this listener`, { connection: 'close' });
  }
  if (req.httpVersionMajor === 0) return new BalancerError('BAD_REQUEST', 'HTTP/0.9 requests are not supported', { connection: 'close' });
  if (requestLineSize(req) > maxRequestLineSize) {
    return new BalancerError('URI_TOO_LONG', `request line over limits.maxRequestLineSize (${maxRequestLineSize} bytes)`, { connection: 'close' });
  }
  const raw = req.rawHeaders;
  if (raw.length / 2 > maxHeaderCount) {
    return new BalancerError('HEADERS_TOO_LARGE', `more than ${maxHeaderCount} header lines`, { connection: 'close' });
  }
  if (req.httpVersionMajor >= 2) {
    if (headerListSize(raw) > maxHeaderSize) return new BalancerError('HEADERS_TOO_LARGE', `header list over ${maxHeaderSize} bytes`);
    // NGINX checks `:authority` (and `Host`) of an HTTP/2 request with the same rules
    const authority = req.headers[':authority'] ?? req.headers.host;
    if (typeof authority === 'string' && !validHost(authority)) return new BalancerError('BAD_REQUEST', INVALID_HOST);
  }
  if (req.httpVersionMajor === 1) {
    let hosts = 0;
    let host = '';
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.length === 4 && name.toLowerCase() === 'host') {
        hosts += 1;
        host = raw[i + 1] as string;
      }
    }
    if (hosts > 1) return new BalancerError('BAD_REQUEST', 'more than one Host header', { connection: 'close' });
    if (hosts === 0 && req.httpVersionMinor >= 1) return new BalancerError('BAD_REQUEST', 'missing Host header', { connection: 'close' });
    if (hosts === 1 && !validHost(host)) {
      return new BalancerError('BAD_REQUEST', INVALID_HOST, { connection: 'close' });
    }
    if (req.httpVersionMinor === 0 && fieldCount(raw, 'transfer-encoding') > 0) {
      return new BalancerError('BAD_REQUEST', 'Transfer-Encoding on an HTTP/1.0 request (its framing is faulty: RFC 9112 §6.1)', { connection: 'close' });
    }
  }
  if (req.method === 'TRACE') return new BalancerError('METHOD_NOT_ALLOWED', 'TRACE is not allowed', { allow: ALLOWED_METHODS });
  if (req.url === '*') {
    return req.method === 'OPTIONS' ? 'options-star' : new BalancerError('BAD_REQUEST', 'the asterisk target is only valid with OPTIONS');
  }
  return null;
}
