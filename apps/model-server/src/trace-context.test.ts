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

describe('traceparent (W3C Trace Context)', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('parses the spec example', () => {
    expect(parseTraceparent(valid)).toEqual({
      traceparent: valid,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(parseTraceparent(valid.replace(/01$/, '00'))?.sampled).toBe(false);
  });

  it('accepts a later version with extra fields (parse the first four)', () => {
    expect(parseTraceparent(`cc${valid.slice(2)}-what-the-future-holds`)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([
    ['version ff', `ff${valid.slice(2)}`],
    ['version 00 with a fifth field', `${valid}-extra`],
    ['upper-case hex', valid.toUpperCase()],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['two headers joined', `${valid}, ${valid}`],
    ['garbage', 'hello'],
    ['absent', undefined],
  ])('ignores %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});
