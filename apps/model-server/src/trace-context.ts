/**
 * The request id and trace context headers a replica accepts (pure; the plugin does the I/O).
 *
 * - `X-Request-Id` (NGINX `$request_id`, Envoy `x-request-id`): an incoming value is kept when
 *   it is 1–128 visible ASCII characters (0x21–0x7E: no spaces, no control characters, so it
 *   cannot break a log line or a header); otherwise a new UUID is generated. Two headers arrive
 *   joined by ", " and so are replaced too.
 * - `traceparent` (W3C Trace Context, https://www.w3.org/TR/trace-context/#traceparent-header):
 *   `version-traceid-parentid-flags`, lowercase hex; version `ff` and all-zero ids are invalid;
 *   version `00` has exactly four fields, later versions may append `-…` (§ 3.2.4, parse the
 *   first four). An invalid value is ignored, as the spec says ("restart the trace").
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';
export const MAX_REQUEST_ID_LENGTH = 128;

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** The incoming request id when it is acceptable, else undefined. */
export function acceptRequestId(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REQUEST_ID_LENGTH) return undefined;
  return VISIBLE_ASCII.test(value) ? value : undefined;
}

/** The request's id: the accepted incoming one, or a fresh UUID. */
export function requestIdFor(value: string | string[] | undefined, generate: () => string = randomUUID): string {
  return acceptRequestId(value) ?? generate();
}

export interface TraceContext {
  /** The header as received (valid). */
  traceparent: string;
  traceId: string;
  /** The caller's span id. */
  parentId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export function parseTraceparent(value: string | string[] | undefined): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceparent: value, traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
