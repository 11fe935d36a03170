/**
 * The request id and trace context headers a replica accepts (pure; the plugin does the I/O).
 *
 * - `X-Request-Id`: the grammar is `@fleet/config`'s `acceptRequestId` (1–128 visible ASCII
 *   characters), the one the balancer uses too; anything else is replaced by a new UUID.
 * - `traceparent` (W3C Trace Context, https://www.w3.org/TR/trace-context/#traceparent-header):
 *   `version-traceid-parentid-flags`, lowercase hex; version `ff` and all-zero ids are invalid;
 *   version `00` has exactly four fields, later versions may append `-…` (§ 3.2.4, parse the
 *   first four). An invalid value is ignored, as the spec says ("restart the trace").
 */
import { randomUUID } from 'node:crypto';
import { acceptRequestId } from '@fleet/config';

export { MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, acceptRequestId } from '@fleet/config';
export const TRACEPARENT_HEADER = 'traceparent';

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
