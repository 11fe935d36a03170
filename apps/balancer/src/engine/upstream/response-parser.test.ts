import { describe, expect, it } from 'vitest';
import { createResponseParser } from './response-parser.js';

/**
 * Pins the part of Node's internal `HTTPParser` (`_http_common`) in RESPONSE mode the engine's
 * upstream client uses, on the Node this runs on (CI: Node 20; the README says how to run it on
 * 22 and 24): message begin, head (status, raw headers, keep-alive), body, completion, the
 * "no body" return for HEAD, and strict errors.
 */
function parse(input: string, { head = false, chunks = [input] }: { head?: boolean; chunks?: string[] } = {}) {
  const events: string[] = [];
  const parser = createResponseParser(
    {
      onBegin: () => events.push('begin'),
      onHead: (status, raw, keepAlive) => {
        events.push(`head ${status} ${raw.join('|')} ka=${keepAlive}`);
        return head;
      },
      onBody: (c) => events.push(`body ${c.toString('latin1')}`),
      onComplete: () => events.push('complete'),
    },
    16384,
  );
  let failure: string | undefined;
  for (const c of chunks) failure ??= parser.execute(Buffer.from(c, 'latin1'))?.code;
  failure ??= parser.finish()?.code;
  parser.close();
  return { events, failure };
}

describe(`engine response parser on Node ${process.versions.node}`, () => {
  it('frames by Content-Length and reports keep-alive', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')).toEqual({
      events: ['begin', 'head 200 Content-Length|2 ka=true', 'body ok', 'complete'],
      failure: undefined,
    });
  });

  it('frames chunked bodies with extensions and trailers, split anywhere', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;name=v\r\nab\r\n1\r\nc\r\n0\r\nX-T: 1\r\n\r\n';
    const split = [text.slice(0, 30), text.slice(30, 55), text.slice(55)];
    const r = parse(text, { chunks: split });
    expect(r.failure).toBeUndefined();
    expect(r.events.filter((e) => e.startsWith('body')).map((e) => e.slice(5)).join('')).toBe('abc');
    expect(r.events.at(-1)).toBe('complete');
  });

  it('frames a body without length until close, and says the connection is not kept', () => {
    expect(parse('HTTP/1.1 200 OK\r\n\r\nuntil close')).toEqual({
      events: ['begin', 'head 200  ka=false', 'body until close', 'complete'],
      failure: undefined,
    });
  });

  it('reads no body for HEAD (onHead returns true), 204 and 304, and skips 1xx', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { head: true }).events).toEqual(['begin', 'head 200 Content-Length|5 ka=true', 'complete']);
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').events).toEqual(['begin', 'head 204  ka=true', 'complete']);
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n').events).toEqual(['begin', 'head 304 Content-Length|9 ka=true', 'complete']);
    const r = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
    expect(r.events).toEqual(['begin', 'head 100  ka=true', 'complete', 'begin', 'head 200 Content-Length|1 ka=true', 'body x', 'complete']);
  });

  it('says Connection: close and HTTP/1.0 are not kept alive', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').events[1]).toMatch(/ka=false$/);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').events[1]).toMatch(/ka=false$/);
  });

  it('rejects smuggling-prone framing: CL with TE, duplicate or malformed CL, a cut body', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n').failure).toBe('HPE_INVALID_TRANSFER_ENCODING');
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx').failure).toBe('HPE_UNEXPECTED_CONTENT_LENGTH');
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nx').failure).toBe('HPE_INVALID_CONTENT_LENGTH');
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab').failure).toBe('HPE_INVALID_EOF_STATE');
  });

  it('reads a response whose last coding is not chunked until close (RFC 9112 §6.3), never keeping the socket', () => {
    const r = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n1\r\nx');
    expect(r.failure).toBeUndefined();
    expect(r.events).toEqual(['begin', 'head 200 Transfer-Encoding|chunked, gzip ka=false', 'body 1\r\nx', 'complete']);
  });

  it('reports the first byte of a response nobody asked for (message begin)', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nH');
    expect(r.events).toEqual(['begin', 'head 200 Content-Length|0 ka=true', 'complete', 'begin']);
  });
});
