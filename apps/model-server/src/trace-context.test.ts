import * as config from '@fleet/config';
import { describe, expect, it } from 'vitest';
import { acceptRequestId, MAX_REQUEST_ID_LENGTH, parseTraceparent, requestIdFor } from './trace-context.js';

describe('X-Request-Id', () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['0af7651916cd43dd8448eb211c80319c', '0af7651916cd43dd8448eb211c80319c'],
    ['x'.repeat(MAX_REQUEST_ID_LENGTH), 'x'.repeat(MAX_REQUEST_ID_LENGTH)],
    ['~!@#$%^&*()_+{}|:"<>?', '~!@#$%^&*()_+{}|:"<>?'],
  ])('keeps %j', (value, expected) => {
    expect(acceptRequestId(value)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(MAX_REQUEST_ID_LENGTH + 1)],
    ['a space (two headers joined by ", ")', 'a, b'],
    ['a control character', 'abc\u0007'],
    ['a line break', 'abc\ndef'],
    ['non-ASCII', 'idé'],
    ['an array', ['a', 'b']],
    ['absent', undefined],
  ])('replaces %s', (_name, value) => {
    expect(acceptRequestId(value as string)).toBeUndefined();
    expect(requestIdFor(value as string, () => 'generated')).toBe('generated');
  });

  it('generates UUIDs by default', () => {
    expect(requestIdFor(undefined)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

// The traceparent grammar is tested where it lives (packages/config/src/trace-context.test.ts).
describe('traceparent (W3C Trace Context)', () => {
  it("is @fleet/config's one definition, shared with the balancer", () => {
    expect(parseTraceparent).toBe(config.parseTraceparent);
  });
});
