import type { ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from './trace/trace-context.js';

/**
 * Errors the balancer answers itself (not relayed from an upstream). One stable code per
 * failure; one table maps codes to HTTP statuses. Clients branch on `code`, never on text.
 */
export const BALANCER_ERRORS = {
  UPSTREAM_CONNECT_FAILED: 502,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  NO_LIVE_UPSTREAM: 502,
  ALL_UPSTREAMS_BUSY: 503,
  RETRY_BUDGET_EXHAUSTED: 502,
  LOCAL_RESOURCES_EXHAUSTED: 503,
  RATE_LIMITED: 429,
  BODY_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  URI_TOO_LONG: 414,
  REQUEST_TIMEOUT: 408,
  NOT_FOUND: 404,
  NO_ROUTE: 404,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  METHOD_NOT_ALLOWED: 405,
  EXPECTATION_FAILED: 417,
  HTTP_VERSION_NOT_SUPPORTED: 505,
  SHUTTING_DOWN: 503,
  CLIENT_CLOSED_REQUEST: 499,
  DASHBOARD_NOT_BUILT: 503,
  TOO_MANY_WATCHERS: 503,
  CLIENT_BODY_TEMP_PATH_UNUSABLE: 500,
  INTERNAL_ERROR: 500,
} as const;
export type BalancerErrorCode = keyof typeof BALANCER_ERRORS;

export class BalancerError extends Error {
  readonly status: number;
  /** `status` overrides the table (e.g. NGINX `limit_req_status 503` for RATE_LIMITED). */
  constructor(
    readonly code: BalancerErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    status?: number,
  ) {
    super(message);
    this.name = 'BalancerError';
    this.status = status ?? BALANCER_ERRORS[code];
  }
}

/**
 * Write a JSON error `{ code, message }` unless headers already went out; with the request's
 * `requestId` when the answer carries an `X-Request-Id` (set by the request handler).
 */
export function sendError(
  res: ServerResponse,
  code: BalancerErrorCode,
  message: string,
  headers: Record<string, string> = {},
  status: number = BALANCER_ERRORS[code],
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const requestId = headers[REQUEST_ID_HEADER] ?? res.getHeader(REQUEST_ID_HEADER);
  const body = JSON.stringify(typeof requestId === 'string' ? { code, message, requestId } : { code, message });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
