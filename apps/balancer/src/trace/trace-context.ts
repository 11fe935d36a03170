/**
 * The request id and W3C trace context grammar. Both have one owner, `@fleet/config`
 * (`acceptRequestId`: 1–128 visible ASCII characters; `parseTraceparent`: W3C Trace Context
 * level 1), which the model-server imports too, so both accept exactly the same values. A later
 * `traceparent` version is propagated as version `00` (the highest this code knows). The
 * end-to-end test (test/request-id.e2e.test.ts) follows ids through both processes' logs.
 */
export {
  MAX_REQUEST_ID_LENGTH,
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  acceptRequestId,
  formatTraceparent,
  parseTraceparent,
  type Traceparent,
} from '@fleet/config';

/** Flags of a trace this balancer starts: not sampled (fleet records no spans itself). */
export const NEW_TRACE_FLAGS = '00';
