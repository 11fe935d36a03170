import { describe, expect, it } from 'vitest';
import { BalancerError } from '../errors.js';
import { limitStream, readBody } from './body.js';
import { clientErrorCode, createLimits, DEFAULT_MAX_KEYS, maxKeysFor, requestLineOverflow, type LimitsConfig } from './index.js';
import { createRateLimiter, RateLimitConfigError } from './rate-limit.js';
import { TempPathError } from './temp-path.js';
import { bodySource, collect } from '../../test/helpers/streams.js';

/**
 * Edges of the limits modules that the behaviour tests beside them left open (found by
 * mutation testing): a Content-Length exactly at the limit, sources that ended or died before
 * reading started, `client_max_body_size 0` on the streamed path, listener hygiene, the exact
 * NGINX clock clamp at −60 s, and the messages operators read.
 */
const described = (err: unknown) =>
  err instanceof BalancerError ? { code: err.code, status: err.status, message: err.message, headers: err.headers } : err;

describe('readBody edges', () => {
  it('a declared Content-Length exactly at the limit is read (413 only past it)', async () => {
    const src = bodySource({ 'content-length': '10' });
    const p = readBody(src, { maxBytes: 10, idleTimeoutMs: 0 });
    src.end('0123456789');
    expect((await p).toString()).toBe('0123456789');
  });

  it('413 names the limit and closes the connection', async () => {
    const err = await readBody(bodySource({ 'content-length': '11' }), { maxBytes: 10, idleTimeoutMs: 0 }).catch(described);
    expect(err).toEqual({ code: 'BODY_TOO_LARGE', status: 413, message: 'request body larger than 10 bytes', headers: { connection: 'close' } });
  });

  it('a source that already ended gives an empty body at once', async () => {
    const src = bodySource();
    src.resume();
    src.end();
    await new Promise((r) => src.once('end', r));
    expect((await readBody(src, { maxBytes: 10, idleTimeoutMs: 0 })).length).toBe(0);
  });

  it('a source already destroyed → 499 CLIENT_CLOSED_REQUEST with connection: close', async () => {
    const src = bodySource();
    src.destroy();
    await new Promise((r) => src.once('close', r));
    expect(await readBody(src, { maxBytes: 10, idleTimeoutMs: 0 }).catch(described)).toEqual({
      code: 'CLIENT_CLOSED_REQUEST',
      status: 499,
      message: 'client closed the connection before the body ended',
      headers: { connection: 'close' },
    });
  });

  it('leaves no listener of its own on the source once the body is read', async () => {
    const src = bodySource();
    const before = ['data', 'end', 'error', 'close'].map((e) => src.listenerCount(e));
    const p = readBody(src, { maxBytes: 0, idleTimeoutMs: 0 });
    src.end('x');
    await p;
    expect(['data', 'end', 'error', 'close'].map((e) => src.listenerCount(e))).toEqual(before);
  });

  it('the idle timeout error says how long it waited', async () => {
    const src = bodySource();
    const err = await readBody(src, { maxBytes: 0, idleTimeoutMs: 20 }).catch(described);
    expect(err).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408, message: 'no body data for 20 ms', headers: { connection: 'close' } });
  });
});

describe('limitStream edges', () => {
  it('maxBytes 0 = unlimited (NGINX client_max_body_size 0)', async () => {
    const src = bodySource();
    const out = collect(limitStream(src, 0));
    src.end('x'.repeat(1000));
    expect(await out).toEqual({ data: 'x'.repeat(1000) });
  });

  it('a declared Content-Length exactly at the limit passes', async () => {
    const src = bodySource({ 'content-length': '5' });
    const out = collect(limitStream(src, 5));
    src.end('12345');
    expect(await out).toEqual({ data: '12345' });
  });

  it('takes its error/close listeners off the source when the output closes', async () => {
    const src = bodySource();
    const before = [src.listenerCount('error'), src.listenerCount('close')];
    const out = collect(limitStream(src, 10));
    src.end('ok');
    await out;
    await new Promise((r) => setImmediate(r));
    expect([src.listenerCount('error'), src.listenerCount('close')]).toEqual(before);
  });
});

describe('rate limiter edges', () => {
  it('a backwards jump of exactly 60 s still counts as 0 ms (NGINX: only beyond −60 s is it 1 ms)', () => {
    const limiter = createRateLimiter({ rate: 1, burst: 5, nodelay: false, delay: 0, maxKeys: 10 });
    expect(limiter.take('k', 100000)).toEqual({ action: 'pass' });
    expect(limiter.take('k', 40000)).toEqual({ action: 'delay', delayMs: 1000 });
  });

  it('maxKeys 1 is valid', () => {
    const limiter = createRateLimiter({ rate: 1, burst: 0, nodelay: false, delay: 0, maxKeys: 1 });
    expect(limiter.take('a', 0)).toEqual({ action: 'pass' });
    expect(limiter.size()).toBe(1);
  });

  it.each([
    [{ rate: 0 }, 'rate limit: rate must be > 0, got 0'],
    [{ burst: -1 }, 'rate limit: burst must be >= 0, got -1'],
    [{ delay: -2 }, 'rate limit: delay must be >= 0, got -2'],
    [{ maxKeys: 0 }, 'rate limit: maxKeys must be >= 1, got 0'],
  ])('invalid %j is refused naming the field and the value', (bad, message) => {
    const err = (() => {
      try {
        createRateLimiter({ rate: 1, burst: 0, nodelay: false, delay: 0, maxKeys: 10, ...bad });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RateLimitConfigError);
    expect({ name: (err as Error).name, message: (err as Error).message }).toEqual({ name: 'RateLimitConfigError', message });
  });
});

describe('limits/index edges', () => {
  it('zoneSize 0 or unset keeps the default key table; a zone smaller than one state still holds one key', () => {
    expect(maxKeysFor(undefined)).toBe(DEFAULT_MAX_KEYS);
    expect(maxKeysFor(0)).toBe(DEFAULT_MAX_KEYS);
    expect(maxKeysFor(1)).toBe(1);
    expect(maxKeysFor(1024 * 1024)).toBe(16384); // NGINX: about 16 thousand states per MB
  });

  it("node:http's header overflow is a request line too long only in a first read with no LF before the error", () => {
    const line = Buffer.from(`GET /${'a'.repeat(100)}`);
    const overflow = (rawPacket: Buffer, bytesRead: number, bytesParsed?: number, code = 'HPE_HEADER_OVERFLOW') =>
      requestLineOverflow({ code, rawPacket, ...(bytesParsed === undefined ? {} : { bytesParsed }) }, { bytesRead });
    expect(overflow(line, line.length)).toBe(true);
    expect(overflow(line, line.length, 50)).toBe(true);
    expect(overflow(line, line.length + 10)).toBe(false); // earlier reads: where the line started is not known
    expect(overflow(line, line.length, 50, 'HPE_INVALID_METHOD')).toBe(false);
    const withLine = Buffer.from('GET / HTTP/1.1\r\nX: bbbbbbbb');
    expect(overflow(withLine, withLine.length, 20)).toBe(false);
    expect(overflow(withLine, withLine.length, 10)).toBe(true); // the LF lies after where llhttp stopped
    expect(overflow(withLine, withLine.length, withLine.indexOf('\n'))).toBe(true); // ... or is the byte it stopped at
    expect(overflow(withLine, withLine.length, withLine.indexOf('\n') + 1)).toBe(false);
    expect(requestLineOverflow({ code: 'HPE_HEADER_OVERFLOW' }, { bytesRead: 5 })).toBe(false); // no packet
  });

  it('a clientError with a non-parser code is just closed (no answer)', () => {
    expect(clientErrorCode({ code: 'ERR_SOMETHING_ELSE' })).toBeNull();
    expect(clientErrorCode({ code: 'EPIPE' })).toBeNull();
  });

  it('429 and 404 carry their messages', () => {
    const config = { deny: ['^/secret'], clientMaxBodySize: 0, rateLimit: { rate: 1, burst: 0, nodelay: false, delay: 0, key: '$remote_addr', status: 429 } };
    const limits = createLimits(config as unknown as LimitsConfig, { now: () => 0 });
    const req = { headers: {}, method: 'GET', url: '/' };
    const info = { clientIp: '192.0.2.1', remoteAddr: '192.0.2.1', proto: 'http' as const, host: 'x' };
    const url = (pathname: string) => ({ pathname, search: '', href: pathname }) as never;
    expect(described(limits.check(req, info, url('/secret')))).toMatchObject({ code: 'NOT_FOUND', message: 'not found' });
    expect(limits.check(req, info, url('/a'))).toBeNull();
    expect(described(limits.check(req, info, url('/a')))).toMatchObject({ code: 'RATE_LIMITED', status: 429, message: 'too many requests' });
  });

  it('TempPathError is named for logs', () => {
    expect(new TempPathError('/nope', true, 'ENOENT').name).toBe('TempPathError');
  });
});
