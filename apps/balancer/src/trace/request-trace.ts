import type { IncomingHttpHeaders } from 'node:http';
import type { IdSource } from './ids.js';
import {
  acceptRequestId,
  formatTraceparent,
  NEW_TRACE_FLAGS,
  parseTraceparent,
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from './trace-context.js';

/**
 * One request's id and trace context. From a trusted proxy (`trustedProxies`, the rule that
 * also guards `X-Forwarded-For`) a valid `X-Request-Id` is kept and a valid `traceparent`
 * continued; from anyone else, or when invalid, a new request id is made and a new trace
 * started (its `tracestate` is dropped: it belonged to the trace that was not continued).
 * Every upstream attempt is a child span: it gets a fresh span id in the `traceparent` it
 * sends, with the trace id and flags unchanged (the walk's retries and hedges each get one).
 */
export interface AttemptSpan {
  peer: string;
  spanId: string;
}

type Headers = Record<string, string | string[]>;

/** The request id of an answer that is not proxied (redirects, parser errors): the same trust rule. */
export function requestIdFor(headers: IncomingHttpHeaders, trusted: boolean, ids: IdSource): string {
  return (trusted ? acceptRequestId(headers[REQUEST_ID_HEADER]) : undefined) ?? ids.requestId();
}

export class RequestTrace {
  readonly requestId: string;
  readonly traceId: string;
  /** The caller's span id when a trace was continued. */
  readonly parentId: string | undefined;
  readonly flags: string;
  /** One span per upstream attempt, in the order they started. */
  readonly spans: AttemptSpan[] = [];

  constructor(
    headers: IncomingHttpHeaders,
    trusted: boolean,
    private readonly ids: IdSource,
  ) {
    const incoming = trusted ? parseTraceparent(headers[TRACEPARENT_HEADER]) : undefined;
    this.requestId = requestIdFor(headers, trusted, ids);
    this.traceId = incoming?.traceId ?? ids.traceId();
    this.parentId = incoming?.parentId;
    this.flags = incoming?.flags ?? NEW_TRACE_FLAGS;
  }

  /** Sets the request id on the headers sent upstream; drops a `tracestate` of a trace not continued. */
  applyTo(headers: Headers): void {
    headers[REQUEST_ID_HEADER] = this.requestId;
    if (this.parentId === undefined) delete headers[TRACESTATE_HEADER];
  }

  /** A `traceparent` with a new span id for one attempt on `peer`. */
  childTraceparent(peer: string): string {
    const spanId = this.ids.spanId();
    this.spans.push({ peer, spanId });
    return formatTraceparent(this.traceId, spanId, this.flags);
  }

  /**
   * The headers for one attempt: the first attempt's `traceparent` is written into `headers`
   * (no copy on the common path); later attempts (retries, hedges, which may run while the
   * first is still queued in its pool) get a copy, so no attempt's headers change under it.
   */
  attemptHeaders(headers: Headers, peer: string): Headers {
    const traceparent = this.childTraceparent(peer);
    if (this.spans.length === 1) {
      headers[TRACEPARENT_HEADER] = traceparent;
      return headers;
    }
    return { ...headers, [TRACEPARENT_HEADER]: traceparent };
  }

  /** Attempt records (which carry no span) with the span id each one sent, matched by peer in start order. */
  withSpans<A extends { peer: string }>(attempts: readonly A[]): (A & { spanId?: string })[] {
    const used = new Set<AttemptSpan>();
    return attempts.map((a) => {
      const span = this.spans.find((s) => s.peer === a.peer && !used.has(s));
      if (span === undefined) return a;
      used.add(span);
      return { ...a, spanId: span.spanId };
    });
  }
}
