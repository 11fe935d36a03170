import type { IncomingHttpHeaders, ServerOptions } from 'node:http';
import type { BalancerConfig } from '@fleet/config';
import { BalancerError, type BalancerErrorCode } from '../errors.js';
import type { ClientInfo } from '../forwarded.js';
import { decodePath, type RequestTarget } from '../request-target.js';
import { compileHashKey, type KeyRequest } from '../hash-key.js';
import { bodyTooLarge } from './body.js';
import { createRateLimiter } from './rate-limit.js';
import { lineEndsBefore } from '../engine/llhttp.js';

/**
 * Limits answered before any upstream work, in NGINX phase order:
 *   1. Content-Length over `clientMaxBodySize` → 413 BODY_TOO_LARGE (NGINX checks this in the
 *      FIND_CONFIG phase, right after the location is chosen);
 *   2. `deny` patterns on the decoded path → 404 NOT_FOUND (a `location ~ … { return 404; }`,
 *      REWRITE phase);
 *   3. `limit_req` (PREACCESS phase) → pass, `{ delayMs }`, or RATE_LIMITED with Retry-After.
 * So oversized and denied requests never consume rate-limit budget, as in NGINX.
 * Streamed bodies without a Content-Length are limited later by ./body.ts; header size and
 * slowloris timeouts are node:http server options, mapped by `serverLimitOptions`.
 */

export { readBody, limitStream } from './body.js';

export type LimitsConfig = BalancerConfig['limits'];
export type RateLimitConfig = NonNullable<LimitsConfig['rateLimit']>;

export interface LimitsRequest extends KeyRequest {
  headers: IncomingHttpHeaders;
}

export interface Limits {
  check(req: LimitsRequest, info: ClientInfo, url: RequestTarget): BalancerError | { delayMs: number } | null;
}

/** NGINX: "one megabyte zone can keep about 16 thousand 64-byte states". */
const BYTES_PER_KEY = 64;
export const DEFAULT_MAX_KEYS = 65536;

export function maxKeysFor(zoneSize: number | undefined): number {
  return zoneSize !== undefined && zoneSize > 0 ? Math.max(1, Math.floor(zoneSize / BYTES_PER_KEY)) : DEFAULT_MAX_KEYS;
}

function contentLength(headers: IncomingHttpHeaders): number {
  const raw = headers['content-length'];
  // Stryker disable next-line ConditionalExpression: Number(undefined) is NaN too
  const n = raw === undefined ? Number.NaN : Number(raw);
  // Stryker disable next-line UnaryOperator: only compared after `maxBody > 0`, so -1 and +1 both stay under it
  return Number.isFinite(n) ? n : -1;
}

function rateLimitCheck(cfg: RateLimitConfig, now: () => number): Limits['check'] {
  const limiter = createRateLimiter({ ...cfg, maxKeys: maxKeysFor(cfg.zoneSize) });
  const keyOf = compileHashKey(cfg.key);
  return (req, info, url) => {
    const key = keyOf(req, info, url);
    if (key === '') return null; // NGINX: requests with an empty key are not accounted
    const decision = limiter.take(key, now());
    if (decision.action === 'pass') return null;
    if (decision.action === 'delay') return { delayMs: decision.delayMs };
    const headers = { 'retry-after': String(decision.retryAfterSec) };
    return new BalancerError('RATE_LIMITED', 'too many requests', headers, cfg.status);
  };
}

export function createLimits(config: LimitsConfig, deps: { now(): number }): Limits {
  const deny = config.deny.map((pattern) => new RegExp(pattern));
  const maxBody = config.clientMaxBodySize;
  const rate = config.rateLimit === undefined ? null : rateLimitCheck(config.rateLimit, () => deps.now());

  const check: Limits['check'] = (req, info, url) => {
    if (maxBody > 0 && contentLength(req.headers) > maxBody) {
      return bodyTooLarge(maxBody);
    }
    const path = decodePath(url.pathname); // malformed escapes: the raw path (still denied if it shows a dotfile)
    if (deny.some((re) => re.test(path))) return new BalancerError('NOT_FOUND', 'not found');
    return rate === null ? null : rate(req, info, url);
  };
  return { check };
}

export type ServerLimitOptions = Required<
  Pick<ServerOptions, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'connectionsCheckingInterval'>
>;

/**
 * node:http server options for the limits node enforces itself: header size (→ 431 via the
 * parser's HPE_HEADER_OVERFLOW), and slowloris protection (headersTimeout / requestTimeout →
 * 408). Node refuses headersTimeout > requestTimeout, so it is clamped; node checks both
 * timeouts on an interval (default 30 s), so the interval is tightened to a tenth of the
 * shorter timeout (between 250 ms and 30 s) to keep the deadlines meaningful.
 */
export function serverLimitOptions(limits: LimitsConfig): ServerLimitOptions {
  const requestTimeout = limits.requestTimeoutMs;
  const headersTimeout =
    requestTimeout > 0 ? Math.min(limits.headersTimeoutMs, requestTimeout) : limits.headersTimeoutMs;
  const shortest = Math.min(...[headersTimeout, requestTimeout].filter((t) => t > 0), 300000);
  return {
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(30000, Math.max(250, Math.floor(shortest / 10))),
  };
}

/**
 * node:http's HPE_HEADER_OVERFLOW, read as NGINX answers it: 414 when the request line never
 * ended. node:http hands over only the read in which it failed (`rawPacket`), so this is told
 * only when that read is all the connection ever sent (a first request: its line starts there)
 * and holds no LF before the error; otherwise the 431 of an oversized head stays.
 */
export function requestLineOverflow(err: { code?: string; rawPacket?: unknown; bytesParsed?: number }, socket: { bytesRead?: number }): boolean {
  if (err.code !== 'HPE_HEADER_OVERFLOW' || !Buffer.isBuffer(err.rawPacket) || socket.bytesRead !== err.rawPacket.length) return false;
  return !lineEndsBefore(err.rawPacket, err.bytesParsed);
}

/** node:http `clientError` codes → the balancer error to answer with (null: just close). */
export function clientErrorCode(err: { code?: string | undefined }): BalancerErrorCode | null {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'HEADERS_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    // Stryker disable StringLiteral,ConditionalExpression: the default branch answers null for these codes too; listed to say so
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    // Stryker restore StringLiteral,ConditionalExpression
    default:
      return err.code?.startsWith('HPE_') === true ? 'BAD_REQUEST' : null;
  }
}
