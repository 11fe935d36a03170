import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessLog, type AccessLogEntry } from './access-log.js';

let dir: string;
let n = 0;
const nextFile = () => join(dir, `access-${++n}.log`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-access-log-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CONFIG = { enabled: true, skipPaths: ['/health', '/health/live', '/health/ready'] };

function entry(path: string, extra: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    time: '2026-11-22T04:00:00.000Z',
    method: 'POST',
    path,
    status: 200,
    durationMs: 12.5,
    clientIp: '198.51.100.7',
    attempts: [],
    ...extra,
  };
}

async function lines(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return text
    .split('\n')
    .slice(0, -1) // a line still being written (no newline yet) is not a line
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('createAccessLog', () => {
  it('writes one JSON line per request, exactly the entry fields, attempts included', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file, { flushIntervalMs: 60000 });
    const first = entry('/predict', {
      route: '/predict',
      upstream: 'default',
      bytesOut: 321,
      status: 200,
      attempts: [
        { peer: '127.0.0.1:8001', error: 'UPSTREAM_CONNECT_FAILED', durationMs: 1 },
        { peer: '127.0.0.1:8002', status: 200, durationMs: 10 },
      ],
    });
    const second = entry('/v2/models/m/infer?x=1', { status: 429, method: 'GET', time: 1790000000000 });
    log.write(first);
    log.write(second);
    await log.close();
    expect(await lines(file)).toEqual([
      { type: 'access', ...first },
      { type: 'access', ...second },
    ]);
  });

  it('skips skipPaths, also with a query string, but not look-alikes', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file);
    for (const p of ['/health', '/health/ready?verbose=1', '/health/live', '/healthz', '/health/other', '/predict']) {
      log.write(entry(p));
    }
    await log.close();
    expect((await lines(file)).map((l) => (l as AccessLogEntry).path)).toEqual(['/healthz', '/health/other', '/predict']);
  });

  it('buffers: nothing reaches the file before the buffer fills or flush() runs', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file, { bufferBytes: 16000, flushIntervalMs: 60000 });
    log.write(entry('/a'));
    log.write(entry('/b'));
    expect(await lines(file)).toEqual([]);
    await log.flush();
    expect((await lines(file)).length).toBe(2);
    log.write(entry('/c'));
    await log.flush();
    expect((await lines(file)).length).toBe(3);
    await log.close();
  });

  it('a full buffer is written without an explicit flush', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file, { bufferBytes: 1000, flushIntervalMs: 60000 });
    for (let i = 0; i < 50; i++) log.write(entry(`/p${i}`));
    let seen = 0;
    for (let i = 0; i < 500 && seen === 0; i++) {
      await new Promise((r) => setImmediate(r));
      seen = (await lines(file)).length;
    }
    expect(seen).toBeGreaterThan(0);
    await log.close();
    expect((await lines(file)).length).toBe(50);
  });

  it('periodic flush writes a lone line without flush()', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file, { bufferBytes: 16000, flushIntervalMs: 5 });
    log.write(entry('/lonely'));
    let got: unknown[] = [];
    for (let i = 0; i < 2000 && got.length === 0; i++) {
      await new Promise((r) => setImmediate(r));
      got = await lines(file);
    }
    expect(got).toEqual([{ type: 'access', ...entry('/lonely') }]);
    await log.close();
  });

  it('close is idempotent and later writes are ignored', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file);
    log.write(entry('/one'));
    await Promise.all([log.close(), log.close()]);
    log.write(entry('/two'));
    await log.flush();
    await log.close();
    expect((await lines(file)).map((l) => (l as AccessLogEntry).path)).toEqual(['/one']);
  });

  it('a buffer size above the SonicBoom maximum is capped, not an error', async () => {
    const file = nextFile();
    const log = createAccessLog(CONFIG, file, { bufferBytes: 1 << 20 });
    log.write(entry('/big-buffer'));
    await log.close();
    expect((await lines(file)).length).toBe(1);
  });

  it('disabled: writes nothing and creates no file', async () => {
    const file = nextFile();
    const log = createAccessLog({ ...CONFIG, enabled: false }, file);
    log.write(entry('/x'));
    await log.flush();
    await log.close();
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a given destination stream receives the lines and is not ended', async () => {
    const chunks: string[] = [];
    let flushed = 0;
    const stream = {
      write: (s: string) => void chunks.push(s),
      flush: (cb?: (err?: Error) => void) => {
        flushed++;
        cb?.();
      },
    };
    const log = createAccessLog(CONFIG, stream);
    log.write(entry('/given'));
    await log.close();
    expect(chunks.map((c) => JSON.parse(c) as unknown)).toEqual([{ type: 'access', ...entry('/given') }]);
    expect(flushed).toBe(1);
  });

  it('an unopenable destination is reported once, then writes and close do not throw', async () => {
    const reported: Error[] = [];
    let opened!: () => void;
    const failed = new Promise<void>((r) => (opened = r));
    const log = createAccessLog(CONFIG, dir /* a directory: open fails */, {
      onError: (err) => {
        reported.push(err);
        opened();
      },
    });
    await failed;
    log.write(entry('/x'));
    await expect(log.flush()).rejects.toMatchObject({ code: 'EISDIR' });
    await log.close();
    expect(reported.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EISDIR']);
  });
});
