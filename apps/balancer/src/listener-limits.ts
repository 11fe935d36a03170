import type { Http2Session, Settings } from 'node:http2';
import type { BalancerConfig } from '@fleet/config';
import { serverLimitOptions } from './limits/index.js';

/**
 * The client-facing limits every listener enforces, whatever its protocol.
 *
 * HTTP/1.x: node:http reads its knobs off the *server object* for every connection it parses
 * (`maxHeaderSize`, `maxHeadersCount`, `headersTimeout`, `requestTimeout`, `keepAliveTimeout`,
 * `requireHostHeader`; `connectionsCheckingInterval` when it starts listening). `http.Server`
 * and `https.Server` take them as options, but an `allowHTTP1` `Http2SecureServer` hands its
 * HTTP/1.1 connections to the same node:http connection listener without taking any of them:
 * its HTTP/1.1 clients got node's defaults (16 KiB heads, 60 s head / 300 s request timeouts,
 * no keep-alive timeout), whatever the config said. So the knobs are set as properties on every
 * server alike, at start and at every reload.
 *
 * HTTP/2: the header list limits are SETTINGS (node refuses a longer list with RST_STREAM
 * ENHANCE_YOUR_CALM); a session must send its first request within `headersTimeoutMs` and is
 * closed (GOAWAY) after `keepAliveTimeoutMs` without an open stream, on a deadline that PINGs or
 * partial HEADERS do not push back (node's own session timeout is reset by any activity).
 */
export type LimitsConfig = BalancerConfig['limits'];

/** Set the node:http knobs on an http, https or allowHTTP1 http2 server. */
export function applyHttp1Limits(server: object, limits: LimitsConfig): void {
  Object.assign(server, {
    ...serverLimitOptions(limits),
    // One more than the limit, so a request over it is seen (request-head.ts → 431) instead of cut.
    maxHeadersCount: limits.maxHeaderCount + 1,
    // false: a missing Host gets request-head.ts's JSON 400, not node's bare 400.
    requireHostHeader: false,
  });
}

/** HTTP/2 pseudo-headers (:method, :scheme, :authority, :path) count as entries for node. */
const PSEUDO_HEADERS = 4;

/** SETTINGS of the HTTP/2 listener: the same header budget as an HTTP/1.1 head. */
export function http2Settings(limits: LimitsConfig): Settings {
  return { maxHeaderListSize: limits.maxHeaderSize };
}

/** Constructor options of the HTTP/2 listener that carry limits (not changeable by a reload). */
export function http2LimitOptions(limits: LimitsConfig): { settings: Settings; maxHeaderListPairs: number; handshakeTimeout: number } {
  return {
    settings: http2Settings(limits),
    // Room for one entry over the limit, so request-head.ts answers the JSON 431 itself.
    maxHeaderListPairs: limits.maxHeaderCount + 1 + PSEUDO_HEADERS,
    handshakeTimeout: tlsHandshakeTimeout(limits),
  };
}

/** A TLS handshake is part of getting a request head in: bounded by the same timeout. */
export function tlsHandshakeTimeout(limits: LimitsConfig): number {
  return limits.headersTimeoutMs > 0 ? limits.headersTimeoutMs : 120_000;
}

/**
 * Close `session` (GOAWAY) when it has no open stream for too long: `headersTimeoutMs` before its
 * first request, `keepAliveTimeoutMs` between requests. `limits` is read when each deadline is
 * armed, so a reload applies to the next one.
 */
export function guardHttp2Session(session: Http2Session, limits: () => LimitsConfig): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    clearTimeout(timer);
    timer = ms > 0 ? setTimeout(() => session.close(), ms).unref() : undefined;
  };
  arm(limits().headersTimeoutMs);
  session.on('stream', (stream) => {
    open++;
    clearTimeout(timer);
    stream.once('close', () => {
      if (--open === 0 && !session.closed) arm(limits().keepAliveTimeoutMs);
    });
  });
  session.once('close', () => clearTimeout(timer));
}
