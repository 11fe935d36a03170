/**
 * The request id and trace context headers a replica accepts (pure; the plugin does the I/O).
 *
 * - `X-Request-Id`: the grammar is `@fleet/config`'s `acceptRequestId` (1–128 visible ASCII
 *   characters), the one the balancer uses too; anything else is replaced by a new UUID.
 * - `traceparent` (W3C Trace Context): the grammar is `@fleet/config`'s `parseTraceparent`, the
 *   one the balancer uses too; an invalid value is ignored, as the spec says ("restart the trace").
 */
import { randomUUID } from 'node:crypto';
import { acceptRequestId } from '@fleet/config/request-id';

// the subpath entries, not the package index: that one loads zod's balancer schemas and lb-core
export { MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, acceptRequestId } from '@fleet/config/request-id';
export { TRACEPARENT_HEADER, parseTraceparent, type Traceparent } from '@fleet/config/trace-context';

/** The request's id: the accepted incoming one, or a fresh UUID. */
export function requestIdFor(value: string | string[] | undefined, generate: () => string = randomUUID): string {
  return acceptRequestId(value) ?? generate();
}
