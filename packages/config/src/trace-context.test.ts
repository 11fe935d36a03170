import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent } from './index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('parseTraceparent (W3C Trace Context level 1, the balancer and the model-server)', () => {
  it('parses the spec example into one shape', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceparent: VALID, version: '00', traceId: TRACE, parentId: SPAN, flags: '01', sampled: true });
  });

  it('keeps the flags as received; sampled is bit 0', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toMatchObject({ flags: '00', sampled: false });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)).toMatchObject({ flags: '03', sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)).toMatchObject({ flags: '02', sampled: false });
  });

  it('parses a later version by its first four fields (§3.2.4)', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01`)).toMatchObject({ version: '01', traceId: TRACE, parentId: SPAN, flags: '01' });
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`)?.traceId).toBe(TRACE);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'hello'],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with a fifth field', `${VALID}-extra`],
    ['version 00 with a trailing character', `${VALID}x`],
    ['a later version followed by no dash', `01-${TRACE}-${SPAN}-01x`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', VALID.toUpperCase()],
    ['upper-case version', `0A-${TRACE}-${SPAN}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['long parent id', `00-${TRACE}-${SPAN}0-01`],
    ['one-digit flags', `00-${TRACE}-${SPAN}-1`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0g`],
    ['wrong separators', `00_${TRACE}_${SPAN}_01`],
    ['two headers joined', `${VALID}, ${VALID}`],
    ['an array', [VALID]],
  ])('ignores %s', (_name, value) => expect(parseTraceparent(value as string | undefined)).toBeUndefined());

  it('formats version 00, which parses back', () => {
    expect(formatTraceparent(TRACE, SPAN, '01')).toBe(VALID);
    expect(parseTraceparent(formatTraceparent(TRACE, SPAN, '01'))).toMatchObject({ traceId: TRACE, parentId: SPAN, flags: '01' });
  });
});
