/**
 * The request id and W3C trace context grammar (pure). The end-to-end test
 * (test/request-id.e2e.test.ts) follows ids through the balancer's and the replica's logs.
 *
 * - `X-Request-Id`: the grammar has one owner, `@fleet/config` (`acceptRequestId`: 1–128
 *   visible ASCII characters), which the model-server imports too.
 * - `traceparent`, W3C Trace Context level 1 (https://www.w3.org/TR/trace-context/#traceparent-header):
 *   `version-traceid-parentid-flags`, lowercase hex only. Version `ff` is invalid; version `00`
 *   is exactly 55 characters; a later version is parsed by its first four fields when it is
 *   at least 55 characters and the 56th (if any) is `-` (§3.2.4), and is propagated as
 *   version `00` (the highest this code knows). All-zero trace or parent ids are invalid.
 */
export { MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, acceptRequestId } from '@fleet/config';
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

type HeaderValue = string | string[] | undefined;

export interface Traceparent {
  traceId: string;
  /** The caller's span id. */
  parentId: string;
  /** Two lowercase hex digits, kept as received (bit 0 = sampled). */
  flags: string;
}

const V00_LENGTH = 55;
const HEAD = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;
const ZEROS = /^0+$/;

export function parseTraceparent(value: HeaderValue): Traceparent | undefined {
  if (typeof value !== 'string' || value.length < V00_LENGTH) return undefined;
  const match = HEAD.exec(value);
  if (match === null) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = ''] = match;
  if (version === 'ff') return undefined;
  if (version === '00' ? value.length !== V00_LENGTH : value.length > V00_LENGTH && value[V00_LENGTH] !== '-') return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** Flags of a trace this balancer starts: not sampled (fleet records no spans itself). */
export const NEW_TRACE_FLAGS = '00';
