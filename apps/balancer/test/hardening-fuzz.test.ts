import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Balancer } from '../src/app.js';
import { BALANCER_ERRORS } from '../src/errors.js';
import { startTestBalancer } from './helpers/balancer.js';
import { request, serialise, type Req } from './helpers/heads.js';
import { completeResponse, parseAnswer, rawExchange, type RawAnswer } from './helpers/raw-http.js';

/**
 * Issue 8: property-based fuzzing of request heads against the real server over raw sockets.
 * Any input gets a 2xx or a 4xx (or 505 for HTTP/2.0) with a stable JSON `code`: never a 5xx
 * the balancer caused, a crash or a hang
 * (client timeouts are 1 s, so a stalled request is a 408, not a wait). Differential with a
 * plain node:http server: what node rejects, the balancer never accepts.
 */
let balancer: Balancer;
let upstream: http.Server;
let plain: http.Server;
let plainPort = 0;

function okServer(): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  upstream = okServer();
  const upstreamPort = await listen(upstream);
  plain = okServer();
  plain.headersTimeout = 1000;
  plain.requestTimeout = 1000;
  plainPort = await listen(plain);
  balancer = await startTestBalancer({
    upstreams: { default: { servers: [`127.0.0.1:${upstreamPort}`] } },
    limits: { headersTimeoutMs: 1000, requestTimeoutMs: 1000, maxHeaderSize: 4096 },
  });
});

afterAll(async () => {
  await balancer.close(1000);
  for (const s of [upstream, plain]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** The first final (non-1xx) response; a HEAD answer is complete at its head. */
function finalAnswer(raw: string, closed: boolean): RawAnswer {
  let rest = raw;
  while (/^HTTP\/1\.[01] 1\d\d /.test(rest) && rest.includes('\r\n\r\n')) rest = rest.slice(rest.indexOf('\r\n\r\n') + 4);
  return parseAnswer(rest, closed);
}

function complete(raw: string, head: boolean): boolean {
  const a = finalAnswer(raw, false);
  if (a.status === 0 || !a.raw.includes('\r\n\r\n')) return false;
  return head || completeResponse(a.raw);
}

async function ask(port: number, r: Req): Promise<RawAnswer> {
  const head = r.method === 'HEAD';
  const answer = await rawExchange(port, serialise(r), { timeoutMs: 4000, until: (raw) => complete(raw, head) });
  return finalAnswer(answer.raw, answer.closed);
}

const CODES = new Set(Object.keys(BALANCER_ERRORS));

describe('request-head fuzzing through the real server', () => {
  it('answers every head with a 2xx or a JSON 4xx with a stable code; never 5xx, never a hang', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const answer = await ask(balancer.port, r);
        const where = `for ${JSON.stringify(serialise(r))}: ${JSON.stringify(answer.raw.slice(0, 200))}`;
        expect(answer.status, `no answer (hang or bare close) ${where}`).toBeGreaterThan(0);
        // 505 is the one client-caused 5xx (an HTTP/2.0 request line; NGINX answers the same).
        expect(answer.status < 300 || (answer.status >= 400 && answer.status < 500) || answer.status === 505, `status ${answer.status} ${where}`).toBe(true);
        if (answer.status >= 400 && r.method !== 'HEAD') {
          const body = JSON.parse(answer.body) as { code?: string };
          expect(CODES.has(String(body.code)), `code ${String(body.code)} ${where}`).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('never accepts a head that plain node:http rejects', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [node, ours] = await Promise.all([ask(plainPort, r), ask(balancer.port, r)]);
        if (node.status >= 400) expect(ours.status, `node said ${node.status}, balancer ${ours.status} for ${JSON.stringify(serialise(r))}`).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 250 },
    );
  });
});
