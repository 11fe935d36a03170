import { once } from 'node:events';
import { METHODS } from 'node:http';
import { socketPair } from '../../test/helpers/socket-pair.js';
import { waitFor } from '../../test/helpers/wait.js';
import { describe, expect, it } from 'vitest';
import { createRequestParser, type ParseFailure, type RequestHead } from './request-parser.js';

/**
 * Pins the part of Node's internal `HTTPParser` (`_http_common`) the engine uses, on the Node
 * this runs on (CI: Node 20; the README says how to run it on 22 and 24). If a Node major
 * changes the binding, this fails before anything else does.
 */
function parse(input: string | Buffer, maxHeaderSize = 16384) {
  const heads: RequestHead[] = [];
  const bodies: string[] = [];
  let complete = 0;
  const parser = createRequestParser(
    {
      onHead: (h) => heads.push(h),
      onBody: (c) => bodies.push(c.toString()),
      onComplete: () => (complete += 1),
    },
    maxHeaderSize,
  );
  const failure = parser.execute(Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1')) ?? parser.finish();
  parser.close();
  return { heads, body: bodies.join(''), complete, failure };
}

describe(`engine request parser on Node ${process.versions.node}`, () => {
  it('frames pipelined requests: head fields, body, keep-alive and upgrade flags', () => {
    const r = parse('POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(r.failure).toBeUndefined();
    expect(r.body).toBe('abc');
    expect(r.heads.map((h) => [h.method, h.url, h.versionMajor, h.versionMinor, h.keepAlive, h.upgrade])).toEqual([
      ['POST', '/a?x=1', 1, 1, true, false],
      ['GET', '/b', 1, 0, false, true],
    ]);
    expect(r.heads[0]?.rawHeaders).toEqual(['Host', 'h', 'Content-Length', '3']);
  });

  it('names every method node:http accepts, and PRI, as sent', () => {
    for (const method of [...METHODS, 'PRI']) {
      const target = method === 'CONNECT' ? 'h:1' : '*';
      const r = parse(method === 'PRI' ? 'PRI *\r\n\r\n' : `${method} ${target} HTTP/1.1\r\nHost: h\r\n\r\n`);
      expect([r.failure?.code, r.heads[0]?.method]).toEqual([undefined, method]);
    }
  });

  it('collects more than 32 headers (they arrive in pieces) in order', () => {
    const names = Array.from({ length: 70 }, (_, i) => `X-H${i}`);
    const r = parse(`GET / HTTP/1.1\r\n${names.map((n, i) => `${n}: ${i}\r\n`).join('')}\r\n`);
    expect(r.failure).toBeUndefined();
    expect(r.heads[0]?.rawHeaders).toEqual(names.flatMap((n, i) => [n, String(i)]));
  });

  it("never carries a chunked body's trailer fields into the next request's head", () => {
    const r = parse('POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Trailer: t\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(r.failure).toBeUndefined();
    expect(r.heads.map((h) => h.rawHeaders)).toEqual([['Transfer-Encoding', 'chunked'], ['Host', 'h']]);
  });

  it('a head that reaches maxHeaderSize inside its request line is 414 (NGINX), inside its fields 431', () => {
    expect(parse(`GET /${'a'.repeat(2000)} HTTP/1.1\r\nHost: h\r\n\r\n`, 1024).failure).toMatchObject({ code: 'HPE_HEADER_OVERFLOW', status: 414 });
    expect(parse(`GET /${'a'.repeat(2000)}`, 1024).failure).toMatchObject({ status: 414 }); // the line still arriving
    expect(parse(`GET /${'a'.repeat(900)} HTTP/1.1\r\nX: ${'b'.repeat(300)}\r\n\r\n`, 1024).failure).toMatchObject({ status: 431 });
  });

  it('tells the request line from the fields across reads and keep-alive requests', () => {
    const feed = (parts: string[]) => {
      const parser = createRequestParser({ onHead: () => undefined, onBody: () => undefined, onComplete: () => undefined }, 1024);
      const results = parts.map((p) => parser.feed(Buffer.from(p, 'latin1')));
      parser.close();
      return results.at(-1);
    };
    // the line split over two reads, neither with an LF
    expect(feed(['GET /' + 'a'.repeat(600), 'a'.repeat(600) + ' HTTP/1.1\r\n\r\n'])).toMatchObject({ status: 414 });
    // the line ended in the first read; the oversized field comes in the second, which has no LF before the overflow
    expect(feed(['GET / HTTP/1.1\r\nX: ', 'b'.repeat(1200) + '\r\n\r\n'])).toMatchObject({ status: 431 });
    // a second request on the connection: its own line, not the first request's, decides
    expect(feed(['GET / HTTP/1.1\r\nHost: h\r\n\r\n', 'GET /' + 'a'.repeat(1200) + ' HTTP/1.1\r\n\r\n'])).toMatchObject({ status: 414 });
  });

  it('maps llhttp errors to a code and a status: 431 for an oversized head, 400 otherwise', () => {
    expect(parse(`GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}\r\n\r\n`, 1024).failure).toMatchObject({ code: 'HPE_HEADER_OVERFLOW', status: 431 });
    expect(parse('POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n').failure).toMatchObject({ code: 'HPE_INVALID_TRANSFER_ENCODING', status: 400 });
    expect(parse('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab').failure).toMatchObject({ code: 'HPE_INVALID_EOF_STATE', status: 400 });
  });
});


describe(`engine request parser reading a socket natively (consume) on Node ${process.versions.node}`, () => {
  it('frames what the handle reads with no data event; body chunks outlive the shared read buffer', async () => {
    const pair = await socketPair();
    const bodies: Buffer[] = [];
    const reads: (number | string)[] = [];
    const parser = createRequestParser({ onHead: () => undefined, onBody: (c) => bodies.push(c), onComplete: () => undefined }, 16384);
    expect(parser.consume(pair.server, (r) => reads.push(typeof r === 'number' ? r : r.code))).toBe(true);
    const dataEvents: Buffer[] = [];
    pair.server.on('data', (c: Buffer) => dataEvents.push(c)); // a listener does not take the reads back
    pair.client.write(`POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\naaa`);
    await waitFor(() => bodies.length === 1);
    pair.client.write('bbb'); // the next read lands in the same native buffer
    await waitFor(() => bodies.length === 2);
    expect(bodies.map(String)).toEqual(['aaa', 'bbb']);
    expect(reads.every((r) => typeof r === 'number')).toBe(true);
    expect(dataEvents).toEqual([]);
    parser.close();
    pair.close();
  });

  it('stops after a head when asked: rest(offset) is the rest of that read; after unconsume the stream reads again', async () => {
    const pair = await socketPair();
    let rest = '';
    const parser = createRequestParser(
      { stopAfter: () => true, onHead: () => undefined, onBody: () => undefined, onComplete: () => undefined },
      16384,
    );
    const onRead = (r: number | ParseFailure): void => {
      rest = parser.rest(r as number).toString();
      parser.unconsume();
    };
    parser.consume(pair.server, onRead);
    pair.server.pause();
    pair.client.write('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nframe-1');
    await waitFor(() => rest !== '');
    expect(rest).toBe('frame-1');
    const later: string[] = [];
    pair.server.on('data', (c: Buffer) => later.push(c.toString()));
    pair.server.resume();
    pair.client.write('frame-2');
    await waitFor(() => later.length > 0);
    expect(later).toEqual(['frame-2']);
    parser.close();
    pair.close();
  });

  it("reports a malformed read as llhttp's failure; the peer's EOF still reaches the socket ('end')", async () => {
    const pair = await socketPair();
    const reads: (number | string)[] = [];
    const parser = createRequestParser({ onHead: () => undefined, onBody: () => undefined, onComplete: () => undefined }, 16384);
    parser.consume(pair.server, (r) => reads.push(typeof r === 'number' ? r : r.code));
    const ended = once(pair.server, 'end');
    pair.client.end('GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    await ended;
    expect(reads).toEqual(['HPE_UNEXPECTED_CONTENT_LENGTH']);
    parser.close();
    pair.close();
  });
});
