import { describe, expect, it } from 'vitest';
import { classifyUpstreamError } from './upstream-errors.js';

describe('classifyUpstreamError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'UPSTREAM_CONNECT_FAILED', 'error', false],
    [{ code: 'EHOSTUNREACH' }, 'UPSTREAM_CONNECT_FAILED', 'error', false],
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'UPSTREAM_TIMEOUT', 'timeout', false],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'UPSTREAM_TIMEOUT', 'timeout', true],
    [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'UPSTREAM_TIMEOUT', 'timeout', true],
    [{ code: 'UND_ERR_SOCKET' }, 'UPSTREAM_ERROR', 'error', true],
    [{ code: 'ECONNRESET' }, 'UPSTREAM_ERROR', 'error', true],
    [{ errors: [{ code: 'ECONNREFUSED' }] }, 'UPSTREAM_CONNECT_FAILED', 'error', false],
    [new Error('odd'), 'UPSTREAM_ERROR', 'error', true],
  ])('%j → %s / %s / sent=%s', (err, code, reason, sent) => {
    expect(classifyUpstreamError(err)).toMatchObject({ code, reason, sent });
  });
});
