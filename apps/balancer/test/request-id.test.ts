import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFrom } from './helpers/from-address.js';
import { BALANCER_SRC_MAIN, spawnJson, type JsonChild } from './helpers/processes.js';
import { answer, startScriptedUpstream, type ScriptedUpstream } from './helpers/scripted-upstream.js';

/**
 * X-Request-Id and W3C traceparent through the balancer as a process (README "Request ids and
 * trace context"): trusted only from `trustedProxies` (127.0.0.2 here; 127.0.0.1 is an ordinary
 * client), forwarded upstream with a child span per attempt, returned to the client, and written
 * into the access log (stdout of the process).
 */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';
const TRUSTED = '127.0.0.2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

let dir: string;
let ups: ScriptedUpstream[];
let balancer: JsonChild;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-rid-'));
  ups = [await startScriptedUpstream('u1'), await startScriptedUpstream('u2')];
  const file = join(dir, 'balancer.json');
  writeFileSync(
    file,
    JSON.stringify({
      trustedProxies: [TRUSTED],
      upstreams: { default: { servers: ups.map((u) => `${u.address} max_fails=0`) } },
      accessLog: { enabled: true },
    }),
  );
  balancer = await spawnJson(['--import', 'tsx', BALANCER_SRC_MAIN], { CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  port = Number(balancer.ready.port);
});

afterAll(async () => {
  await balancer?.stop();
  await Promise.all(ups.map((u) => u.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Every exchange the upstreams saw for `path`, in arrival order. */
function seen(path: string) {
  return ups.flatMap((u) => u.exchanges.filter((ex) => ex.req.url === path).map((ex) => ({ up: u.id, headers: ex.req.headers })));
}

function accessLine(path: string): Promise<Record<string, unknown>> {
  return balancer.waitForLog((l) => l.type === 'access' && l.path === path, `access line for ${path}`);
}

function parts(traceparent: unknown): { traceId: string; spanId: string; flags: string } {
  const m = TRACEPARENT.exec(String(traceparent));
  if (m === null) throw new Error(`not a version-00 traceparent: ${String(traceparent)}`);
  return { traceId: m[1] as string, spanId: m[2] as string, flags: m[3] as string };
}

describe('request ids and trace context (balancer process)', () => {
  it('ignores an ordinary client’s X-Request-Id, traceparent and tracestate: new id, new trace', async () => {
    const headers = { 'x-request-id': 'spoofed-id', traceparent: `00-${TRACE}-${CALLER}-01`, tracestate: 'vendor=forged' };
    const r = await requestFrom('127.0.0.1', port, '/untrusted', { headers });
    expect(r.status).toBe(200);
    const id = String(r.headers['x-request-id']);
    expect(id).toMatch(UUID);
    const [upstream] = seen('/untrusted');
    expect(upstream?.headers['x-request-id']).toBe(id);
    expect(upstream?.headers.tracestate).toBeUndefined();
    const sent = parts(upstream?.headers.traceparent);
    expect(sent.traceId).not.toBe(TRACE);
    expect(sent.flags).toBe('00');
    const line = await accessLine('/untrusted');
    expect(line).toMatchObject({ requestId: id, traceId: sent.traceId });
    expect(line.parentId).toBeUndefined();
    expect((line.attempts as { spanId: string }[])[0]?.spanId).toBe(sent.spanId);
  });

  it('keeps a trusted proxy’s valid X-Request-Id and continues its trace with a child span, flags and tracestate kept', async () => {
    const headers = { 'x-request-id': 'edge-42', traceparent: `00-${TRACE}-${CALLER}-01`, tracestate: 'vendor=abc' };
    const r = await requestFrom(TRUSTED, port, '/trusted', { headers });
    expect(r.headers['x-request-id']).toBe('edge-42');
    const [upstream] = seen('/trusted');
    expect(upstream?.headers['x-request-id']).toBe('edge-42');
    expect(upstream?.headers.tracestate).toBe('vendor=abc');
    const sent = parts(upstream?.headers.traceparent);
    expect(sent).toMatchObject({ traceId: TRACE, flags: '01' });
    expect(sent.spanId).not.toBe(CALLER);
    const line = await accessLine('/trusted');
    expect(line).toMatchObject({ requestId: 'edge-42', traceId: TRACE, parentId: CALLER });
    expect((line.attempts as { spanId: string }[])[0]?.spanId).toBe(sent.spanId);
  });

  it.each([
    ['a space', 'a b'],
    ['129 characters', 'x'.repeat(129)],
    ['two headers', ['a', 'b']],
  ])('replaces a trusted proxy’s request id with %s; an invalid traceparent restarts the trace', async (name, value) => {
    const path = `/invalid-${name.replace(/\W/g, '')}`;
    const traceparent = `00-${TRACE.toUpperCase()}-${CALLER}-01`;
    const r = await requestFrom(TRUSTED, port, path, { headers: { 'x-request-id': value as string, traceparent, tracestate: 'v=1' } });
    expect(String(r.headers['x-request-id'])).toMatch(UUID);
    const [upstream] = seen(path);
    expect(upstream?.headers['x-request-id']).toBe(r.headers['x-request-id']);
    expect(parts(upstream?.headers.traceparent).traceId).not.toBe(TRACE.toLowerCase());
    expect(upstream?.headers.tracestate).toBeUndefined();
  });

  it('gives a retry its own span id in the same trace; the access log pairs each attempt with its span', async () => {
    // Whichever peer round robin picks first answers 503; the retry goes to the other one.
    let answered = 0;
    for (const u of ups) u.onRequest = (ex) => void answer(u, ex, ex.req.url === '/retry' && answered++ === 0 ? 503 : 200);
    const r = await requestFrom(TRUSTED, port, '/retry', { headers: { traceparent: `00-${TRACE}-${CALLER}-01` } });
    expect(r.status).toBe(200);
    const sent = seen('/retry').map((s) => ({ up: s.up, ...parts(s.headers.traceparent) }));
    expect(sent).toHaveLength(2);
    expect(sent.map((s) => s.traceId)).toEqual([TRACE, TRACE]);
    expect(sent[0]?.spanId).not.toBe(sent[1]?.spanId);
    const line = await accessLine('/retry');
    const attempts = line.attempts as { peer: string; status: number; spanId: string }[];
    expect(attempts.map((a) => a.status)).toEqual([503, 200]);
    for (const a of attempts) {
      const up = ups.find((u) => u.address === a.peer);
      expect(sent.find((s) => s.up === up?.id)?.spanId).toBe(a.spanId);
    }
  });

  it('answers with its own X-Request-Id even when the upstream sends another one', async () => {
    for (const u of ups) u.onRequest = (ex) => void answer(u, ex, 200, { 'x-request-id': 'upstream-made-this' });
    const r = await requestFrom(TRUSTED, port, '/upstream-id', { headers: { 'x-request-id': 'edge-7' } });
    expect(r.headers['x-request-id']).toBe('edge-7');
    for (const u of ups) u.onRequest = (ex) => void answer(u, ex);
  });
});
