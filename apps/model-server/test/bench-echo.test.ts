/** BENCH_ECHO: the HTTP floor route exists only when asked for, and answers like /predict. */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { fakeTextBackend } from './fake-backend.js';
import { testConfig } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(benchEcho: boolean): Promise<FastifyInstance> {
  const built = await buildApp({ config: testConfig({ serverId: 'echo', benchEcho }), backend: fakeTextBackend() });
  await built.ready();
  await built.whenReady();
  return built;
}

describe('POST /bench/echo', () => {
  it('is not there by default (404 NOT_FOUND)', async () => {
    app = await start(false);
    const res = await app.inject({ method: 'POST', url: '/bench/echo', payload: { text: 'hi' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('with BENCH_ECHO on: the /predict body checks and a /predict-shaped answer, without inference', async () => {
    app = await start(true);
    const echo = await app.inject({ method: 'POST', url: '/bench/echo', payload: { texts: ['a', 'b'] } });
    const predict = await app.inject({ method: 'POST', url: '/predict', payload: { texts: ['a', 'b'] } });
    expect(echo.statusCode).toBe(200);
    expect(Object.keys(echo.json())).toEqual(Object.keys(predict.json()));
    expect(echo.json().predictions).toHaveLength(2);
    expect(echo.json().server_id).toBe('echo');
    const bad = await app.inject({ method: 'POST', url: '/bench/echo', payload: { text: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'text' });
  });
});
