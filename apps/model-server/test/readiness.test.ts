/**
 * Readiness sequence on a real port: 503 "loading" until the (gated) warm-up inference passed,
 * 200 after it, 503 "draining" once a drain starts; liveness answers 200 throughout.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { fakeTextBackend } from './fake-backend.js';
import { listen, testConfig, waitFor } from './helpers.js';

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function get(url: string): Promise<{ status: number; body: Record<string, unknown>; serverId: unknown }> {
  const res = await request(url);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown>, serverId: res.headers['x-server-id'] };
}

describe('readiness', () => {
  it('is 503 while loading, 200 once warm-up produced the expected labels, 503 while draining', async () => {
    let openGate!: () => void;
    const warmupGate = new Promise<void>((resolve) => (openGate = resolve));
    app = await buildApp({ config: testConfig({ serverId: 'ready-1' }), warmupGate });
    const base = await listen(app);

    for (const path of ['/health/ready', '/health']) {
      const loading = await get(base + path);
      expect(loading).toMatchObject({ status: 503, serverId: 'ready-1', body: { status: 'loading', server_id: 'ready-1' } });
    }
    expect(await get(`${base}/v2/health/ready`)).toMatchObject({ status: 503, body: { ready: false } });
    expect(await get(`${base}/health/live`)).toMatchObject({ status: 200, body: { status: 'live', server_id: 'ready-1' } });

    openGate();
    const ready = await waitFor(
      async () => {
        const res = await get(`${base}/health/ready`);
        return res.status === 200 ? res : undefined;
      },
      { what: 'readiness after warm-up' },
    );
    expect(ready.body).toMatchObject({ status: 'ready', model: { name: 'spam-classifier' } });
    expect(await get(`${base}/health`)).toMatchObject({ status: 200 });
    expect(await get(`${base}/v2/health/ready`)).toMatchObject({ status: 200, body: { ready: true } });

    app.lifecycle.startDrain();
    expect(await get(`${base}/health/ready`)).toMatchObject({ status: 503, body: { status: 'draining' } });
    expect(await get(`${base}/health`)).toMatchObject({ status: 503, body: { status: 'draining' } });
    expect(await get(`${base}/health/live`)).toMatchObject({ status: 200 });
    // still serving while draining
    const res = await request(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'still here?' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.connection).toBe('close');
    await res.body.dump();
  });

  it('stays 503 "failed" when the warm-up inference does not produce the expected labels', async () => {
    app = await buildApp({ config: testConfig(), backend: fakeTextBackend({ label: () => 'spam' }) });
    await app.ready();
    await expect(app.whenReady()).rejects.toMatchObject({
      code: 'WARMUP_FAILED',
      message: 'warm-up inference returned ["spam","spam"], expected ["ham","spam"]',
    });
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'failed' });
  });
});
