import type { BalancerErrorCode } from './errors.js';

/**
 * undici / socket errors → the balancer's codes, the next-upstream reason (`error` or
 * `timeout`, NGINX `proxy_next_upstream`) and what the failure says about the peer:
 * - `sent: false`: nothing reached the peer (connect failures), so even a non-idempotent
 *   request may go to the next peer;
 * - `dead: true`: the peer refused or reset the connection before any response byte (a crashed
 *   replica, a stale keep-alive socket to a `kill -9`ed one). Such a retry is not overload
 *   multiplying itself, so it does not spend the retry budget (`walk.ts`);
 * - `local: true`: the balancer itself is out of a resource (fds, buffers, ports). Never the
 *   peer's fault: not reported to passive health, not retried, answered 503.
 * Everything is called before any response header was relayed (a broken body is not retried).
 */
export interface ClassifiedError {
  code: BalancerErrorCode;
  reason: 'error' | 'timeout';
  sent: boolean;
  dead: boolean;
  local: boolean;
  detail: string;
}

/** PEER_REMOVED: the peer left the group (reload, DNS) between the pick and the attempt; nothing was sent. */
const CONNECT_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'PEER_REMOVED']);

/** The peer closed or reset an established connection (undici: UND_ERR_SOCKET "other side closed"). */
const RESETS: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/** The balancer's own limits: descriptors, kernel buffers, memory, ephemeral ports. */
export const LOCAL_RESOURCE_ERRORS: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL']);

const TIMEOUTS: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'TimeoutError', 'PER_TRY_TIMEOUT']);

export function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'UNKNOWN';
  const e = err as { code?: unknown; errors?: unknown[]; name?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && e.code !== 'UND_ERR_SOCKET') return e.code;
  const inner = Array.isArray(e.errors) ? e.errors[0] : undefined;
  if (inner !== undefined) return errorCode(inner);
  // undici's SocketError wraps the socket's own error (EMFILE, ECONNRESET) in `cause`, when there is one.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: errorCode() answers 'UNKNOWN' for a missing, null or non-object cause, which the next line ignores as it does undefined
  const cause = typeof e.cause === 'object' && e.cause !== null ? errorCode(e.cause) : undefined;
  if (cause !== undefined && cause !== 'UNKNOWN' && cause !== 'Error') return cause;
  if (typeof e.code === 'string') return e.code;
  return typeof e.name === 'string' ? e.name : 'UNKNOWN';
}

const base = { sent: true, dead: false, local: false } as const;

export function classifyUpstreamError(err: unknown): ClassifiedError {
  const detail = errorCode(err);
  if (LOCAL_RESOURCE_ERRORS.has(detail)) return { ...base, code: 'LOCAL_RESOURCES_EXHAUSTED', reason: 'error', sent: false, local: true, detail };
  if (detail === 'UND_ERR_CONNECT_TIMEOUT') return { ...base, code: 'UPSTREAM_TIMEOUT', reason: 'timeout', sent: false, detail };
  if (CONNECT_FAILURES.has(detail)) return { ...base, code: 'UPSTREAM_CONNECT_FAILED', reason: 'error', sent: false, dead: true, detail };
  if (RESETS.has(detail)) return { ...base, code: 'UPSTREAM_ERROR', reason: 'error', dead: true, detail };
  if (TIMEOUTS.has(detail)) return { ...base, code: 'UPSTREAM_TIMEOUT', reason: 'timeout', detail };
  return { ...base, code: 'UPSTREAM_ERROR', reason: 'error', detail };
}

export const CLIENT_MESSAGES: Partial<Record<BalancerErrorCode, string>> = {
  UPSTREAM_CONNECT_FAILED: 'could not connect to an upstream server',
  UPSTREAM_TIMEOUT: 'upstream server timed out',
  UPSTREAM_ERROR: 'upstream server failed',
  NO_LIVE_UPSTREAM: 'no live upstream server',
  ALL_UPSTREAMS_BUSY: 'every upstream server is at its connection limit',
  LOCAL_RESOURCES_EXHAUSTED: 'the balancer is out of resources; try again',
};
