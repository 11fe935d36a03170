import { describe, expect, it } from 'vitest';
import type { IdSource } from './ids.js';
import { RequestTrace } from './request-trace.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';
const INCOMING = { 'x-request-id': 'client-id-1', traceparent: `00-${TRACE}-${CALLER}-01`, tracestate: 'vendor=abc' };

function ids(): IdSource {
  let n = 0;
  return {
    requestId: () => `generated-${++n}`,
    traceId: () => 'a'.repeat(32),
    spanId: () => String(++n).padStart(16, '0'),
  };
}

describe('RequestTrace', () => {
  it('keeps a valid request id and continues a valid trace from a trusted proxy', () => {
    const t = new RequestTrace(INCOMING, true, ids());
    expect(t).toMatchObject({ requestId: 'client-id-1', traceId: TRACE, parentId: CALLER, flags: '01' });
    const headers: Record<string, string> = { ...INCOMING };
    t.applyTo(headers);
    expect(headers.tracestate).toBe('vendor=abc');
    expect(headers['x-request-id']).toBe('client-id-1');
  });

  it('replaces both from an untrusted client and drops its tracestate', () => {
    const t = new RequestTrace(INCOMING, false, ids());
    expect(t).toMatchObject({ requestId: 'generated-1', traceId: 'a'.repeat(32), parentId: undefined, flags: '00' });
    const headers: Record<string, string> = { ...INCOMING };
    t.applyTo(headers);
    expect(headers['x-request-id']).toBe('generated-1');
    expect(headers.tracestate).toBeUndefined();
  });

  it('replaces each invalid one on its own, even from a trusted proxy', () => {
    const badId = new RequestTrace({ ...INCOMING, 'x-request-id': 'has space' }, true, ids());
    expect(badId).toMatchObject({ requestId: 'generated-1', traceId: TRACE, parentId: CALLER });
    const badTrace = new RequestTrace({ ...INCOMING, traceparent: `00-${TRACE}-${CALLER}-01-x` }, true, ids());
    expect(badTrace).toMatchObject({ requestId: 'client-id-1', traceId: 'a'.repeat(32), parentId: undefined, flags: '00' });
    const headers: Record<string, string> = { ...INCOMING };
    badTrace.applyTo(headers);
    expect(headers.tracestate).toBeUndefined();
  });

  it('gives every attempt a child span: same trace and flags, a new span id; only the first writes in place', () => {
    const t = new RequestTrace(INCOMING, true, ids());
    const headers: Record<string, string | string[]> = { host: 'x' };
    const first = t.attemptHeaders(headers, 'p1');
    expect(first).toBe(headers);
    expect(first.traceparent).toBe(`00-${TRACE}-0000000000000001-01`);
    const second = t.attemptHeaders(headers, 'p2');
    expect(second).not.toBe(headers);
    expect(second).toEqual({ host: 'x', traceparent: `00-${TRACE}-0000000000000002-01` });
    expect(headers.traceparent).toBe(`00-${TRACE}-0000000000000001-01`);
    expect(t.spans).toEqual([
      { peer: 'p1', spanId: '0000000000000001' },
      { peer: 'p2', spanId: '0000000000000002' },
    ]);
  });

  it('propagates a later version as version 00 (W3C §3.2.4)', () => {
    const t = new RequestTrace({ traceparent: `01-${TRACE}-${CALLER}-03-future` }, true, ids());
    expect(t.childTraceparent('p')).toBe(`00-${TRACE}-0000000000000002-03`);
  });

  it('matches attempt records to their spans by peer, whatever order they completed in', () => {
    const t = new RequestTrace({}, false, ids());
    t.childTraceparent('p1');
    t.childTraceparent('p2');
    const logged = t.withSpans([
      { peer: 'p2', durationMs: 1 },
      { peer: 'p1', durationMs: 2 },
      { peer: 'p3', durationMs: 3 },
    ]);
    expect(logged).toEqual([
      { peer: 'p2', durationMs: 1, spanId: '0000000000000003' },
      { peer: 'p1', durationMs: 2, spanId: '0000000000000002' },
      { peer: 'p3', durationMs: 3 },
    ]);
  });
});
