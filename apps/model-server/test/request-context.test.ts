/**
 * Request ids and trace context on the replica: a valid incoming X-Request-Id is kept (an
 * invalid or missing one replaced), every response carries it (errors included), and with
 * ACCESS_LOG on one JSON line per request holds the id and the W3C traceparent, so one request
 * can be followed from the balancer's access log into the replica's log.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { accessLogDestination } from '../src/plugins/request-context.js';
import { fakeTextBackend } from './fake-backend.js';
import { testConfig, type LogLine } from './helpers.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An app logging JSON lines into `lines`. */
async function appWithLog(accessLog: boolean, lines: LogLine[]): Promise<FastifyInstance> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const built = await buildApp({ config: testConfig({ serverId: 'rid', accessLog }), backend: fakeTextBackend(), logger });
  await built.ready();
  await built.whenReady();
  return built;
}

const json = { 'content-type': 'application/json' };

describe('X-Request-Id on every response', () => {
  it('keeps a valid incoming id, on success and on every kind of error', async () => {
    app = await appWithLog(false, []);
    const cases = [
      { method: 'POST' as const, url: '/predict', payload: '{"text":"hi"}', status: 200 },
      { method: 'POST' as const, url: '/predict', payload: '{"text":', status: 400 },
      { method: 'POST' as const, url: '/predict', payload: '{"text":""}', status: 400 },
      { method: 'POST' as const, url: '/v2/models/spam-classifier/infer', payload: '{}', status: 400 },
      { method: 'GET' as const, url: '/nope', status: 404 },
      { method: 'GET' as const, url: '/predict%ff', status: 400 },
      { method: 'GET' as const, url: '/health/live', status: 200 },
    ];
    for (const [i, c] of cases.entries()) {
      const res = await app.inject({ ...c, headers: { ...json, 'x-request-id': `client-${i}` } });
      expect(res.statusCode, c.url).toBe(c.status);
      expect(res.headers['x-request-id'], c.url).toBe(`client-${i}`);
    }
    const tooLarge = await app.inject({ method: 'POST', url: '/predict', headers: { ...json, 'x-request-id': 'big' }, payload: 'x'.repeat(2 * 1024 * 1024) });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['x-request-id']).toBe('big');
  });

  it('generates a UUID when the incoming id is missing, too long or not printable', async () => {
    app = await appWithLog(false, []);
    for (const header of [undefined, 'x'.repeat(129), 'has space', 'tab\tinside']) {
      const res = await app.inject({ method: 'GET', url: '/health/live', headers: header === undefined ? {} : { 'x-request-id': header } });
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    const a = await app.inject({ method: 'GET', url: '/health/live' });
    const b = await app.inject({ method: 'GET', url: '/health/live' });
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});

describe('request log (ACCESS_LOG)', () => {
  it('writes one line per request with the id, the trace context, status and time', async () => {
    const lines: LogLine[] = [];
    app = await appWithLog(true, lines);
    await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { ...json, 'x-request-id': 'abc-123', traceparent: TRACEPARENT },
      payload: '{"text":"hello"}',
    });
    await app.inject({ method: 'GET', url: '/nope', headers: { traceparent: 'not-a-traceparent' } });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      requestId: 'abc-123',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      traceparent: TRACEPARENT,
      method: 'POST',
      path: '/predict',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(requests[1]).toMatchObject({ requestId: expect.stringMatching(UUID), method: 'GET', path: '/nope', status: 404 });
    expect(requests[1]).not.toHaveProperty('traceparent');
  });

  it('writes no request line when off (the default)', async () => {
    const lines: LogLine[] = [];
    app = await appWithLog(false, lines);
    await app.inject({ method: 'POST', url: '/predict', headers: json, payload: '{"text":"hello"}' });
    expect(lines.filter((l) => l.msg === 'request')).toEqual([]);
  });
});

describe('buffered request log (ACCESS_LOG with main.ts destination)', () => {
  it('collects the lines in a buffer and writes them all out when the app closes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ms-access-'));
    const file = join(dir, 'access.log');
    const stream = pino.destination({ dest: file, sync: false, minLength: 4096, mkdir: true });
    await once(stream, 'ready');
    const destination = accessLogDestination(pino({ level: 'info', base: { serverId: 'rid' } }, stream), stream);
    const built = await buildApp({
      config: testConfig({ serverId: 'rid', accessLog: true }),
      backend: fakeTextBackend(),
      logger: pino({ level: 'silent' }),
      accessLog: destination,
    });
    await built.ready();
    await built.whenReady();
    for (let i = 0; i < 3; i += 1) {
      await built.inject({ method: 'POST', url: '/predict', headers: { ...json, 'x-request-id': `buf-${i}` }, payload: '{"text":"hi"}' });
    }
    // three ~250-byte lines stay in the 4 KiB buffer: no write per request
    expect(await readFile(file, 'utf8')).toBe('');
    await built.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogLine);
    expect(lines.map((l) => [l.requestId, l.msg, l.status, l.serverId])).toEqual([0, 1, 2].map((i) => [`buf-${i}`, 'request', 200, 'rid']));
    stream.end();
    await rm(dir, { recursive: true, force: true });
  });
});
