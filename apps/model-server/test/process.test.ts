/**
 * The real process (`node dist/main.js`): the "listening" line, SIGTERM drain with requests in
 * flight, and fail-fast start-up on a missing or broken model file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFailingProcess, startProcess, waitFor, type ServerProcess } from './helpers.js';

let dir: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-server-process-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const proc = await startProcess(env);
  running.push(proc);
  return proc;
}

async function queueDepth(url: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  return Number(/^model_server_queue_depth (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('node dist/main.js', () => {
  it('logs one JSON "listening" line with port and serverId, and tags responses', async () => {
    const proc = await start({ SERVER_ID: 'proc-1' });
    const listening = proc.lines.filter((l) => l.msg === 'listening');
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatchObject({ serverId: 'proc-1', port: expect.any(Number) });
    const res = await request(`${proc.url}/health/ready`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-server-id']).toBe('proc-1');
    expect(await res.body.json()).toMatchObject({ status: 'ready', server_id: 'proc-1' });
  });

  it('on SIGTERM: readiness 503 at once, in-flight requests all complete, exit 0', async () => {
    // A long queue delay keeps the requests in flight until the drain flushes them.
    const proc = await start({ SERVER_ID: 'drainer', MAX_QUEUE_DELAY: '60s', MAX_BATCH_SIZE: '64', DRAIN_DELAY: '3s' });
    const texts = Array.from({ length: 12 }, (_, i) => `message number ${i} about the quarterly report`);
    const predict = (text: string) =>
      request(`${proc.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      }).then(async (res) => ({
        status: res.statusCode,
        connection: res.headers.connection,
        body: (await res.body.json()) as { server_id: string },
      }));
    const inFlight = texts.map(predict);
    await waitFor(async () => ((await queueDepth(proc.url)) === texts.length ? true : undefined), { what: 'queued requests' });

    proc.child.kill('SIGTERM');
    proc.child.kill('SIGTERM'); // a duplicate delivery (pnpm + terminal) must not cut the drain short
    await waitFor(
      async () => {
        const res = await request(`${proc.url}/health/ready`);
        const body = (await res.body.json()) as { status: string };
        return res.statusCode === 503 && body.status === 'draining' ? true : undefined;
      },
      { what: 'readiness 503 while draining' },
    );
    const live = await request(`${proc.url}/health/live`);
    expect(live.statusCode).toBe(200);
    await live.body.dump();
    // still served during the drain delay, with Connection: close
    const late = predict('a request that arrives while draining');

    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(texts.map(() => 200));
    expect(results.every((r) => r.body.server_id === 'drainer')).toBe(true);
    expect(await late).toMatchObject({ status: 200, connection: 'close', body: { server_id: 'drainer' } });
    expect(await proc.exited).toBe(0);
    expect(proc.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['draining', 'drained; exiting']));
  });

  it('exits non-zero with a clear message when the model file is missing', async () => {
    const missing = join(dir, 'missing.onnx');
    const { code, output } = await runFailingProcess({ MODEL_PATH: missing });
    expect(code).toBe(3);
    expect(output).toContain(`model file not found or unreadable: ${missing}`);
    expect(output).toContain('MODEL_NOT_FOUND');
  });

  it('exits non-zero with a clear message when the model file is not ONNX', async () => {
    const broken = join(dir, 'broken.onnx');
    await writeFile(broken, 'this is not a protobuf');
    const { code, output } = await runFailingProcess({ MODEL_PATH: broken });
    expect(code).toBe(3);
    expect(output).toContain(`cannot load ONNX model ${broken}`);
    expect(output).toContain('MODEL_INVALID');
  });

  it('exits 2 listing the problem when the configuration is invalid', async () => {
    const { code, output } = await runFailingProcess({ MAX_BATCH_SIZE: '0' });
    expect(code).toBe(2);
    expect(output).toContain('CONFIG_INVALID');
    expect(output).toContain('MAX_BATCH_SIZE: must be > 0');
  });
});
