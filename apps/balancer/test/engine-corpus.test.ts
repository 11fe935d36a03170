import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineFraming, startNodeFramer, type NodeFramer } from './helpers/framing.js';

/**
 * Issue 9 item 2: a request-smuggling corpus as a table test, run against node:http and the
 * engine's request parser (`src/engine/request-parser.ts`). The vectors follow the cases of
 * llhttp's own tests (`test/request/content-length.md`, `transfer-encoding.md`, `invalid.md`,
 * `pipelining.md`, `connection.md`) and of the HTTP desync research (James Kettle, "HTTP Desync
 * Attacks", 2019: CL.TE, TE.CL, TE.TE obfuscations; HTTP Garden's discrepancy classes: bare LF,
 * obs-fold, NUL/CTL, chunk-size and chunk-extension tricks). Each row states what a strict
 * parser must do (`reject` with llhttp's code, or `accept` and frame so), and both readers must
 * agree with it and with each other, fed at once and byte by byte.
 */
let node: NodeFramer;
beforeAll(async () => {
  node = await startNodeFramer();
});
afterAll(async () => {
  await node.close();
});

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');
const raw = (s: string): Buffer => Buffer.from(s, 'latin1');

type Expectation = { reject: string } | { accept: [method: string, url: string, body: string][] };

const CORPUS: [name: string, bytes: Buffer, expected: Expectation][] = [
  // --- Content-Length (llhttp content-length.md) ---
  ['CL body', crlf('POST / HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc'), { accept: [['POST', '/', 'abc']] }],
  ['CL with leading zeroes', crlf('PUT /u HTTP/1.1\nContent-Length: 003\n\nabc'), { accept: [['PUT', '/u', 'abc']] }],
  ['CL with trailing OWS', crlf('POST / HTTP/1.1\nContent-Length: 3 \n\nabc'), { accept: [['POST', '/', 'abc']] }],
  ['duplicate CL, same value', crlf('POST / HTTP/1.1\nContent-Length: 3\nContent-Length: 3\n\nabc'), { reject: 'HPE_UNEXPECTED_CONTENT_LENGTH' }],
  ['duplicate CL, different values', crlf('POST / HTTP/1.1\nContent-Length: 3\nContent-Length: 30\n\nabc'), { reject: 'HPE_UNEXPECTED_CONTENT_LENGTH' }],
  ['CL list', crlf('POST / HTTP/1.1\nContent-Length: 3, 3\n\nabc'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['CL with plus sign', crlf('POST / HTTP/1.1\nContent-Length: +3\n\nabc'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['CL negative', crlf('POST / HTTP/1.1\nContent-Length: -1\n\nabc'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['CL hex', crlf('POST / HTTP/1.1\nContent-Length: 0x3\n\nabc'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['CL with inner space', crlf('POST / HTTP/1.1\nContent-Length: 1 2\n\nabc'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['CL overflow', crlf('POST / HTTP/1.1\nContent-Length: 1000000000000000000000\n\n'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['CL body cut short by EOF', crlf('POST / HTTP/1.1\nContent-Length: 10\n\nabc'), { reject: 'HPE_INVALID_EOF_STATE' }],
  // --- CL.TE / TE.CL (desync research; llhttp transfer-encoding.md) ---
  ['CL.TE', crlf('POST / HTTP/1.1\nContent-Length: 6\nTransfer-Encoding: chunked\n\n0\n\nG'), { reject: 'HPE_INVALID_TRANSFER_ENCODING' }],
  ['TE.CL', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\nContent-Length: 3\n\n1\nG\n0\n\n'), { reject: 'HPE_INVALID_CONTENT_LENGTH' }],
  ['TE chunked', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n'), { accept: [['POST', '/', 'hello']] }],
  ['TE chunked, upper-case size and extension', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nA;ext=1\n0123456789\n0\n\n'), { accept: [['POST', '/', '0123456789']] }],
  ['TE chunked with trailers', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n1\na\n0\nX-Trailer: 1\n\n'), { accept: [['POST', '/', 'a']] }],
  ['TE gzip, chunked (chunked final)', crlf('POST / HTTP/1.1\nTransfer-Encoding: gzip, chunked\n\n1\na\n0\n\n'), { accept: [['POST', '/', 'a']] }],
  ['TE chunked, identity (chunked not final)', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked, identity\n\n1\na\n0\n\n'), { reject: 'HPE_INVALID_TRANSFER_ENCODING' }],
  ['TE identity on a request', crlf('POST / HTTP/1.1\nTransfer-Encoding: identity\n\nabc'), { reject: 'HPE_INVALID_TRANSFER_ENCODING' }],
  ['TE xchunked', crlf('POST / HTTP/1.1\nTransfer-Encoding: xchunked\n\n1\na\n0\n\n'), { reject: 'HPE_INVALID_TRANSFER_ENCODING' }],
  ['TE obs-folded', crlf('POST / HTTP/1.1\nTransfer-Encoding:\n chunked\n\n1\na\n0\n\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['TE with space before the colon', crlf('POST / HTTP/1.1\nTransfer-Encoding : chunked\n\n1\na\n0\n\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['TE with tab before the colon', crlf('POST / HTTP/1.1\nTransfer-Encoding\t: chunked\n\n1\na\n0\n\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['chunk size with junk', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5x\nhello\n0\n\n'), { reject: 'HPE_INVALID_CHUNK_SIZE' }],
  ['chunk size overflow', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nfffffffffffffffff\nhello\n0\n\n'), { reject: 'HPE_INVALID_CHUNK_SIZE' }],
  ['chunk size with a space before CRLF', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5 \nhello\n0\n\n'), { reject: 'HPE_INVALID_CHUNK_SIZE' }],
  ['chunk data not followed by CRLF', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nhelloX0\n\n'), { reject: 'HPE_STRICT' }],
  ['chunk size with bare LF', raw('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n'), { reject: 'HPE_CR_EXPECTED' }],
  ['chunked body cut short by EOF', crlf('POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nhel'), { reject: 'HPE_INVALID_EOF_STATE' }],
  // --- line endings, folding, control characters (llhttp invalid.md; HTTP Garden) ---
  ['bare LF line endings', raw('GET / HTTP/1.1\nHost: a\n\n'), { reject: 'HPE_INVALID_VERSION' }],
  ['bare LF after a header', raw('GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n'), { reject: 'HPE_CR_EXPECTED' }],
  ['bare CR inside a header line', raw('GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n'), { reject: 'HPE_LF_EXPECTED' }],
  ['obs-fold of an ordinary header', crlf('GET / HTTP/1.1\nX-A: b\n c\n\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['whitespace before the first header', crlf('GET / HTTP/1.1\n Host: a\n\n'), { reject: 'HPE_UNEXPECTED_SPACE' }],
  ['NUL in a header value', raw('GET / HTTP/1.1\r\nX: a\0b\r\n\r\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['NUL in a header name', raw('GET / HTTP/1.1\r\nX\0Y: a\r\n\r\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['CTL (0x01) in a header value', raw('GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['header line without a colon', crlf('GET / HTTP/1.1\nJustAName\n\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  ['empty header name', crlf('GET / HTTP/1.1\n: x\n\n'), { reject: 'HPE_INVALID_HEADER_TOKEN' }],
  // --- request line ---
  // RFC 9112 §3 lets a recipient split the request line on whitespace runs; llhttp does.
  ['two spaces after the method', crlf('GET  / HTTP/1.1\n\n'), { accept: [['GET', '/', '']] }],
  ['lower-case method', crlf('get / HTTP/1.1\n\n'), { reject: 'HPE_INVALID_METHOD' }],
  ['unknown method', crlf('FOO / HTTP/1.1\n\n'), { reject: 'HPE_INVALID_METHOD' }],
  ['HTTP/1.2', crlf('GET / HTTP/1.2\n\n'), { reject: 'HPE_INVALID_VERSION' }],
  ['lower-case protocol', crlf('GET / http/1.1\n\n'), { reject: 'HPE_INVALID_CONSTANT' }],
  ['space inside the target', crlf('GET /a b HTTP/1.1\n\n'), { reject: 'HPE_INVALID_CONSTANT' }],
  ['NUL in the target', raw('GET /a\0b HTTP/1.1\r\n\r\n'), { reject: 'HPE_INVALID_URL' }],
  // --- pipelining and keep-alive (llhttp pipelining.md, connection.md) ---
  [
    'three pipelined requests, the body of the second one framed by CL',
    crlf('GET /1 HTTP/1.1\nHost: a\n\nPOST /2 HTTP/1.1\nHost: a\nContent-Length: 5\n\nhelloGET /3 HTTP/1.1\nHost: a\n\n'),
    { accept: [['GET', '/1', ''], ['POST', '/2', 'hello'], ['GET', '/3', '']] },
  ],
  [
    'a request hidden in a CL body stays body',
    crlf('POST /a HTTP/1.1\nContent-Length: 32\n\nGET /admin HTTP/1.1\nHost: x\n\n'),
    { accept: [['POST', '/a', 'GET /admin HTTP/1.1\r\nHost: x\r\n\r\n']] },
  ],
  ['data after Connection: close', crlf('GET /1 HTTP/1.1\nConnection: close\n\nGET /2 HTTP/1.1\n\n'), { reject: 'HPE_CLOSED_CONNECTION' }],
  ['GET with a CL body', crlf('GET / HTTP/1.1\nContent-Length: 2\n\nhi'), { accept: [['GET', '/', 'hi']] }],
];

function summary(f: { messages: { method: string; url: string; body: string; complete: boolean }[]; error: string | null }): Expectation {
  if (f.error !== null) return { reject: f.error };
  return { accept: f.messages.map((m) => [m.method, m.url, m.body] as [string, string, string]) };
}

describe('request-smuggling corpus: node:http and the engine parser frame alike', () => {
  it.each(CORPUS)('%s', async (_name, bytes, expected) => {
    const byNode = await node.frame(bytes);
    expect(summary(byNode)).toEqual(expected);
    expect(engineFraming(bytes)).toEqual(byNode);
    expect(engineFraming(bytes, 1)).toEqual(byNode);
  });
});
