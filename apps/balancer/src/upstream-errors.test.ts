import { describe, expect, it } from 'vitest';
import { classifyUpstreamError } from './upstream-errors.js';

describe('classifyUpstreamError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'UPSTREAM_CONNECT_FAILED', 'error', false, true, false],
    [{ code: 'EHOSTUNREACH' }, 'UPSTREAM_CONNECT_FAILED', 'error', false, true, false],
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'UPSTREAM_TIMEOUT', 'timeout', false, false, false],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'UPSTREAM_TIMEOUT', 'timeout', true, false, false],
    [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'UPSTREAM_TIMEOUT', 'timeout', true, false, false],
    [{ code: 'UND_ERR_SOCKET' }, 'UPSTREAM_ERROR', 'error', true, true, false],
    [{ code: 'ECONNRESET' }, 'UPSTREAM_ERROR', 'error', true, true, false],
    [{ code: 'UND_ERR_SOCKET', cause: { code: 'ECONNRESET' } }, 'UPSTREAM_ERROR', 'error', true, true, false],
    [{ errors: [{ code: 'ECONNREFUSED' }] }, 'UPSTREAM_CONNECT_FAILED', 'error', false, true, false],
    [{ code: 'EMFILE' }, 'LOCAL_RESOURCES_EXHAUSTED', 'error', false, false, true],
    [{ code: 'UND_ERR_SOCKET', cause: { code: 'ENOBUFS' } }, 'LOCAL_RESOURCES_EXHAUSTED', 'error', false, false, true],
    [{ code: 'EADDRNOTAVAIL' }, 'LOCAL_RESOURCES_EXHAUSTED', 'error', false, false, true],
    [new Error('odd'), 'UPSTREAM_ERROR', 'error', true, false, false],
  ])('%j → %s / %s / sent=%s dead=%s local=%s', (err, code, reason, sent, dead, local) => {
    expect(classifyUpstreamError(err)).toMatchObject({ code, reason, sent, dead, local });
  });
});
