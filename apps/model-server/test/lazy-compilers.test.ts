/**
 * Route schemas are compiled on their route's first request, not while the app gets ready
 * (src/lazy-compilers.ts), and validation and serialization answer as before.
 */
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

async function start(): Promise<{ app: FastifyInstance; compiled: string[] }> {
  const compiled: string[] = [];
  const built = await buildApp({
    config: testConfig({ serverId: 'lazy' }),
    backend: fakeTextBackend(),
    onSchemaCompile: (what, route) => compiled.push(`${what} ${route.method} ${route.url}`),
  });
  await built.ready();
  await built.whenReady();
  return { app: built, compiled };
}

describe('schemas compiled on first use', () => {
  it('compiles nothing while getting ready; a route compiles its own schemas on its first request, once', async () => {
    const started = await start();
    app = started.app;
    expect(started.compiled).toEqual([]);
    const first = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'hello there' } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ server_id: 'lazy', label: expect.any(String) });
    expect(started.compiled).toEqual(['validator POST /predict', 'serializer POST /predict']);
    await app.inject({ method: 'POST', url: '/predict', payload: { texts: ['a', 'b'] } });
    expect(started.compiled).toHaveLength(2);
    expect(started.compiled.some((c) => c.includes('/v2'))).toBe(false);
  });

  it("keeps ajv's answers: the first and later invalid bodies name the field", async () => {
    app = (await start()).app;
    for (const payload of [{ text: '' }, { texts: ['ok', ''] }, { text: 'a', texts: ['b'] }, { text: '' }]) {
      const res = await app.inject({ method: 'POST', url: '/predict', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', server_id: 'lazy' });
    }
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { texts: ['ok', ''] } });
    expect(res.json().field).toBe('texts[1]');
  });
});
