/**
 * The real process (`node dist/main.js`): the "listening" line, SIGTERM drain with requests in
 * flight, and fail-fast start-up on a missing or broken model file.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFailingProcess, startProcess, waitFor, writeAlwaysSpamModel, type LogLine, type ServerProcess } from './helpers.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
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

async function gauge(url: string, name: string): Promise<number> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
}

async function draining(url: string): Promise<true | undefined> {
  const res = await request(`${url}/health/ready`);
  const body = (await res.body.json()) as { status: string };
  return res.statusCode === 503 && body.status === 'draining' ? true : undefined;
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

  it('reads a YAML CONFIG_FILE, serves through a worker started up front, and reports its version (paths the bundle resolves)', async () => {
    const file = join(dir, 'replica.yaml');
    await writeFile(file, 'serverId: from-yaml\nworkers: 1\n');
    const proc = await start({ CONFIG_FILE: file, SERVER_ID: '', WORKERS: '' });
    expect(proc.lines.find((l) => l.msg === 'model loaded')).toMatchObject({ serverId: 'from-yaml', workers: 1, lazy: false });
    const res = await request(`${proc.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ texts: Array.from({ length: 32 }, (_, i) => `${'a long message about the quarterly report '.repeat(40)} ${i}`) }),
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { predictions: unknown[] }).predictions).toHaveLength(32);
    const v2 = await request(`${proc.url}/v2`);
    expect(await v2.body.json()).toMatchObject({ name: 'fleet-model-server', version: PACKAGE_VERSION, server_id: 'from-yaml' });
  });

  it('on SIGTERM: readiness 503 at once, in-flight requests all complete, exit 0', async () => {
    const proc = await start({ SERVER_ID: 'drainer', DRAIN_DELAY: '3s' });
    // Twelve requests in flight: each has sent its headers and half its body when the signal
    // comes (an idle replica runs a complete request at once, so they are held in the upload).
    const bodies = Array.from({ length: 12 }, (_, i) => JSON.stringify({ text: `message number ${i} about the quarterly report` }));
    const sockets = bodies.map((body) => {
      const socket = connect(Number(new URL(proc.url).port), '127.0.0.1');
      const state = { received: '' };
      socket.on('data', (chunk: Buffer) => (state.received += chunk.toString()));
      socket.on('error', () => undefined);
      socket.write(`POST /predict HTTP/1.1\r\nHost: replica\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.slice(0, 10));
      return { socket, state, rest: body.slice(10) };
    });
    try {
      await waitFor(async () => ((await gauge(proc.url, 'model_server_requests_in_flight')) > bodies.length ? true : undefined), {
        what: 'requests in flight',
      });
      proc.child.kill('SIGTERM');
      proc.child.kill('SIGTERM'); // a duplicate delivery (pnpm + terminal) must not cut the drain short
      await waitFor(() => draining(proc.url), { what: 'readiness 503 while draining' });
      const live = await request(`${proc.url}/health/live`);
      expect(live.statusCode).toBe(200);
      await live.body.dump();
      // still served during the drain delay, with Connection: close
      const late = await request(`${proc.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'a request that arrives while draining' }),
      });
      expect(late.statusCode).toBe(200);
      expect(late.headers.connection).toBe('close');
      expect(await late.body.json()).toMatchObject({ server_id: 'drainer' });

      for (const s of sockets) s.socket.write(s.rest);
      await waitFor(() => (sockets.every((s) => s.state.received.trimEnd().endsWith('}')) ? true : undefined), {
        what: 'every in-flight answer',
      });
      for (const { state } of sockets) {
        expect(state.received).toMatch(/^HTTP\/1\.1 200 /);
        expect(JSON.parse(state.received.slice(state.received.indexOf('\r\n\r\n') + 4))).toMatchObject({ server_id: 'drainer' });
      }
      expect(await proc.exited).toBe(0);
      expect(proc.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['draining', 'drained; exiting']));
    } finally {
      for (const { socket } of sockets) socket.destroy();
    }
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

  it('exits 4 (WARMUP_FAILED) when the warm-up output of a loadable model is wrong, with several workers', async () => {
    const wrong = join(dir, 'always-spam.onnx');
    await writeAlwaysSpamModel(wrong);
    const { code, output } = await runFailingProcess({ MODEL_PATH: wrong, WORKERS: '2' });
    expect(code).toBe(4);
    const fatal = output.split('\n').flatMap((line) => (line.startsWith('{"level":60') ? [JSON.parse(line) as LogLine] : []));
    expect(fatal).toEqual([
      expect.objectContaining({ code: 'WARMUP_FAILED', msg: 'warm-up inference returned ["spam","spam"], expected ["ham","spam"]' }),
    ]);
  });

  it('exits 5 when in-flight work is not finished within DRAIN_TIMEOUT', async () => {
    const proc = await start({ SERVER_ID: 'stuck', DRAIN_DELAY: '0', DRAIN_TIMEOUT: '1s' });
    // a request whose body never finishes arriving keeps the drain from completing
    const socket = connect(Number(new URL(proc.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('POST /predict HTTP/1.1\r\nHost: replica\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":');
    try {
      // the stalled upload plus the scrape itself
      await waitFor(async () => ((await gauge(proc.url, 'model_server_requests_in_flight')) >= 2 ? true : undefined), {
        what: 'the stalled request in flight',
      });
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(5);
      expect(proc.lines.map((l) => l.msg)).toContain('drain deadline exceeded; exiting with work unfinished');
    } finally {
      socket.destroy();
    }
  });

  it('exits 130 on a second signal more than a second after the first', async () => {
    const proc = await start({ SERVER_ID: 'forced', DRAIN_DELAY: '60s' });
    proc.child.kill('SIGTERM');
    await waitFor(() => draining(proc.url), { what: 'readiness 503 while draining' });
    // the process took the first signal before it answered "draining": count from here
    const handled = performance.now();
    await waitFor(() => (performance.now() - handled > 1200 ? true : undefined), { what: 'a second since the first signal', intervalMs: 50 });
    expect(proc.child.exitCode).toBeNull();
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(130);
    expect(proc.lines.map((l) => l.msg)).toContain('second signal while draining; exiting now');
  });

  it('exits 2 listing the problem when the configuration is invalid', async () => {
    const { code, output } = await runFailingProcess({ MAX_BATCH_SIZE: '0' });
    expect(code).toBe(2);
    expect(output).toContain('CONFIG_INVALID');
    expect(output).toContain('MAX_BATCH_SIZE: must be > 0');
  });
});
