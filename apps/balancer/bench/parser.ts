/**
 * Micro-benchmark for the engine's request parser (issue 9 item 2): Node's llhttp binding
 * (`src/engine/request-parser.ts`, one parser per connection, reused across keep-alive
 * requests) against a minimal hand-written head parser in JS (request line, header lines,
 * token/value checks, Content-Length / Transfer-Encoding), on the same keep-alive stream of
 * typical requests. Prints ns per request (median of 7 rounds, interleaved). Run alone:
 *   cpu-lock exclusive pnpm --filter @fleet/balancer bench:parser
 */
import { median } from '@fleet/bench-kit';
import { createRequestParser } from '../src/engine/request-parser.js';

const BODY = '{"inputs":[[1,2,3,4,5,6,7]]}'.slice(0, 27);
const REQUEST = Buffer.from(
  'POST /predict HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: k6/0.52\r\nAccept: application/json\r\n' +
    'Content-Type: application/json\r\nX-Request-Id: 3f2b8a2e-1c4d-4e5f-9a6b-7c8d9e0f1a2b\r\nConnection: keep-alive\r\n' +
    `Content-Length: ${BODY.length}\r\n\r\n${BODY}`,
  'latin1',
);
const PER_ROUND = 200_000;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** What a hand-written parser must do at the least for one head: returns the body length. */
function handParse(buf: Buffer): number {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('incomplete');
  const text = buf.toString('latin1', 0, end);
  const lines = text.split('\r\n');
  const [method, target, version] = (lines[0] ?? '').split(' ');
  if (method === undefined || target === undefined || version !== 'HTTP/1.1' || !TOKEN.test(method)) throw new Error('bad line');
  let length = -1;
  let chunked = false;
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error('bad header');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (!TOKEN.test(name) || !VALUE.test(value)) throw new Error('bad header');
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (length >= 0 || !/^\d+$/.test(value)) throw new Error('bad length');
      length = Number(value);
    } else if (lower === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    headers.push(name, value);
  }
  if (chunked && length >= 0) throw new Error('CL and TE');
  return length;
}

function roundLlhttp(): number {
  let bodies = 0;
  const parser = createRequestParser({ onHead: () => undefined, onBody: (c) => (bodies += c.length), onComplete: () => undefined }, 16384);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) if (parser.execute(REQUEST) !== undefined) throw new Error('parse failed');
  const ns = Number(process.hrtime.bigint() - t0) / PER_ROUND;
  parser.close();
  if (bodies !== BODY.length * PER_ROUND) throw new Error('wrong framing');
  return ns;
}

function roundHand(): number {
  let bodies = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) bodies += handParse(REQUEST);
  const ns = Number(process.hrtime.bigint() - t0) / PER_ROUND;
  if (bodies !== BODY.length * PER_ROUND) throw new Error('wrong framing');
  return ns;
}

const llhttp: number[] = [];
const hand: number[] = [];
roundLlhttp();
roundHand(); // warm-up
for (let r = 0; r < 7; r++) {
  llhttp.push(roundLlhttp());
  hand.push(roundHand());
}
console.log(JSON.stringify({ node: process.versions.node, requestBytes: REQUEST.length, nsPerRequest: { llhttpBinding: Math.round(median(llhttp)), handWrittenJs: Math.round(median(hand)) } }));
