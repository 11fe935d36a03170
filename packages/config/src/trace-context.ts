/**
 * The W3C `traceparent` grammar shared by the balancer and the model-server (one owner, like
 * the X-Request-Id grammar in `request-id.ts`: both import it from here, so they accept exactly
 * the same values).
 *
 * `traceparent`, W3C Trace Context level 1 (https://www.w3.org/TR/trace-context/#traceparent-header):
 * `version-traceid-parentid-flags`, lowercase hex only. Version `ff` is invalid; version `00` is
 * exactly 55 characters; a later version is parsed by its first four fields when it is at least
 * 55 characters and the 56th (if any) is `-` (§3.2.4). All-zero trace or parent ids are invalid.
 * An invalid value is ignored (the spec: "restart the trace"); two headers joined by ", " or
 * given as an array are invalid too.
 */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

export interface Traceparent {
  /** The header as received. */
  traceparent: string;
  /** Two lowercase hex digits (`00` for this level; a later one is propagated as `00`). */
  version: string;
  traceId: string;
  /** The caller's span id. */
  parentId: string;
  /** Two lowercase hex digits, kept as received. */
  flags: string;
  /** Bit 0 of the flags. */
  sampled: boolean;
}

const V00_LENGTH = 55;
const HEAD = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})/;
const ZEROS = /^0+$/;

/** The parsed header when it is valid, else undefined. */
export function parseTraceparent(value: string | string[] | undefined): Traceparent | undefined {
  if (typeof value !== 'string' || value.length < V00_LENGTH) return undefined;
  const match = HEAD.exec(value);
  if (match === null) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = ''] = match;
  if (version === 'ff') return undefined;
  if (version === '00' ? value.length !== V00_LENGTH : value.length > V00_LENGTH && value[V00_LENGTH] !== '-') return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return { traceparent: value, version, traceId, parentId, flags, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** A version-00 `traceparent`. */
export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}
