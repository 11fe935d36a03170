import { describe, expect, it } from 'vitest';
import { CLIENT_MESSAGES, classifyUpstreamError, errorCode, LOCAL_RESOURCE_ERRORS } from './upstream-errors.js';

/** Every code of each class, how the code is dug out of undici's wrappers, and the client messages. */
describe('classifyUpstreamError: every code of each class', () => {
  it.each(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'PEER_REMOVED'])('%s: connect failure, nothing sent, dead peer', (code) => {
    expect(classifyUpstreamError({ code })).toEqual({ code: 'UPSTREAM_CONNECT_FAILED', reason: 'error', sent: false, dead: true, local: false, detail: code });
  });

  it.each(['ECONNRESET', 'EPIPE', 'ECONNABORTED'])('%s: reset after sending, dead peer', (code) => {
    expect(classifyUpstreamError({ code })).toEqual({ code: 'UPSTREAM_ERROR', reason: 'error', sent: true, dead: true, local: false, detail: code });
  });

  it.each(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL'])('%s: the balancer is out of a resource, not the peer', (code) => {
    expect(LOCAL_RESOURCE_ERRORS.has(code)).toBe(true);
    expect(classifyUpstreamError({ code })).toEqual({ code: 'LOCAL_RESOURCES_EXHAUSTED', reason: 'error', sent: false, dead: false, local: true, detail: code });
  });

  it.each([
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'UND_ERR_HEADERS_TIMEOUT'],
    [{ code: 'PER_TRY_TIMEOUT' }, 'PER_TRY_TIMEOUT'],
    [{ name: 'TimeoutError' }, 'TimeoutError'],
  ])('%j: a timeout after sending, peer alive', (err, detail) => {
    expect(classifyUpstreamError(err)).toEqual({ code: 'UPSTREAM_TIMEOUT', reason: 'timeout', sent: true, dead: false, local: false, detail });
  });

  it('a connect timeout sent nothing and is not a dead peer', () => {
    expect(classifyUpstreamError({ code: 'UND_ERR_CONNECT_TIMEOUT' })).toEqual({
      code: 'UPSTREAM_TIMEOUT',
      reason: 'timeout',
      sent: false,
      dead: false,
      local: false,
      detail: 'UND_ERR_CONNECT_TIMEOUT',
    });
  });

  it('anything else is an upstream error after sending, peer alive', () => {
    expect(classifyUpstreamError({ code: 'UND_ERR_RESPONSE' })).toEqual({ code: 'UPSTREAM_ERROR', reason: 'error', sent: true, dead: false, local: false, detail: 'UND_ERR_RESPONSE' });
  });
});

describe('errorCode', () => {
  it.each([
    [null, 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
    ['ECONNRESET', 'UNKNOWN'],
    [{}, 'UNKNOWN'],
    [{ code: 42, name: 'Weird' }, 'Weird'],
    [{ code: 'ECONNREFUSED', errors: [{ code: 'EHOSTUNREACH' }] }, 'ECONNREFUSED'],
    [{ errors: [], name: 'AggregateError' }, 'AggregateError'],
    [{ errors: [{ errors: [{ code: 'ENETUNREACH' }] }] }, 'ENETUNREACH'],
    [{ code: 'UND_ERR_SOCKET' }, 'UND_ERR_SOCKET'],
    [{ code: 'UND_ERR_SOCKET', cause: { code: 'EMFILE' } }, 'EMFILE'],
    [{ code: 'UND_ERR_SOCKET', cause: new Error('plain') }, 'UND_ERR_SOCKET'],
    [{ code: 'UND_ERR_SOCKET', cause: {} }, 'UND_ERR_SOCKET'],
    [{ code: 'UND_ERR_SOCKET', cause: 'ECONNRESET' }, 'UND_ERR_SOCKET'],
    [{ name: 'SocketError', cause: { code: 'ECONNRESET' } }, 'ECONNRESET'],
    [{ name: 'SocketError', cause: null }, 'SocketError'],
  ])('%j → %s', (err, code) => {
    expect(errorCode(err)).toBe(code);
  });
});

describe('CLIENT_MESSAGES', () => {
  it('names what failed, for every code the walk answers with', () => {
    expect(CLIENT_MESSAGES).toEqual({
      UPSTREAM_CONNECT_FAILED: 'could not connect to an upstream server',
      UPSTREAM_TIMEOUT: 'upstream server timed out',
      UPSTREAM_ERROR: 'upstream server failed',
      NO_LIVE_UPSTREAM: 'no live upstream server',
      ALL_UPSTREAMS_BUSY: 'every upstream server is at its connection limit',
      LOCAL_RESOURCES_EXHAUSTED: 'the balancer is out of resources; try again',
    });
  });
});
