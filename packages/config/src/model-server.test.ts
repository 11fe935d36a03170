import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errorOf, useTmpDir } from '../test/tmp-dir.js';
import { defaultModelServerConfig, loadModelServerConfig, parseModelServerConfig } from './model-server.js';

const write = useTmpDir();

describe('loadModelServerConfig', () => {
  it('has the contract defaults', () => {
    expect(loadModelServerConfig({ env: {} })).toEqual({
      host: '127.0.0.1',
      port: 8000,
      serverId: hostname(),
      logLevel: 'info',
      bodyLimit: 1024 * 1024,
      batching: { maxBatchSize: 32, maxQueueDelayMs: 2, maxQueueSize: 1024, maxBatchCells: 16_384 },
      limits: { maxRequestRows: 256 },
      docs: true,
      accessLog: false,
      benchEcho: false,
      workers: 'auto',
      intraOpThreads: 0,
      drain: { delayMs: 1000, timeoutMs: 30_000 },
    });
    expect(defaultModelServerConfig()).toEqual(loadModelServerConfig({ env: {} }));
  });

  it('reads every env var, coercing numbers, durations and sizes', () => {
    const config = loadModelServerConfig({
      env: {
        HOST: '0.0.0.0',
        PORT: '0',
        SERVER_ID: 'server-1',
        MODEL_PATH: '/models/m.onnx',
        MODEL_NAME: 'spam',
        LOG_LEVEL: 'debug',
        BODY_LIMIT: '2m',
        MAX_BATCH_SIZE: '8',
        MAX_QUEUE_DELAY: '5ms',
        MAX_QUEUE_SIZE: '100',
        WORKERS: '2',
        INTRA_OP_THREADS: '1',
        DRAIN_DELAY: '0',
        DRAIN_TIMEOUT: '1m',
        MAX_BATCH_CELLS: '4096',
        MAX_REQUEST_ROWS: '64',
        DOCS: 'off',
        ACCESS_LOG: 'on',
      },
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      serverId: 'server-1',
      modelPath: '/models/m.onnx',
      modelName: 'spam',
      logLevel: 'debug',
      bodyLimit: 2 * 1024 * 1024,
      batching: { maxBatchSize: 8, maxQueueDelayMs: 5, maxQueueSize: 100, maxBatchCells: 4096 },
      limits: { maxRequestRows: 64 },
      docs: false,
      accessLog: true,
      benchEcho: false,
      workers: 2,
      intraOpThreads: 1,
      drain: { delayMs: 0, timeoutMs: 60_000 },
    });
  });

  it('treats empty env values as unset', () => {
    expect(loadModelServerConfig({ env: { PORT: '', MODEL_PATH: ' ' } })).toMatchObject({ port: 8000 });
    expect(loadModelServerConfig({ env: { MODEL_PATH: '' } }).modelPath).toBeUndefined();
  });

  it('takes WORKERS=auto or a count (0 = main thread only)', () => {
    expect(loadModelServerConfig({ env: { WORKERS: 'auto' } }).workers).toBe('auto');
    expect(loadModelServerConfig({ env: { WORKERS: '0' } }).workers).toBe(0);
    expect(loadModelServerConfig({ env: { WORKERS: '3' } }).workers).toBe(3);
    expect(() => loadModelServerConfig({ env: { WORKERS: 'many' } })).toThrow('WORKERS: must be "auto" or an integer >= 0, got "many"');
  });

  it('lists every bad env var in one error, with the raw value', () => {
    const error = errorOf(() =>
      loadModelServerConfig({
        env: {
          PORT: 'abc',
          MAX_BATCH_SIZE: '0',
          WORKERS: '1.5',
          LOG_LEVEL: 'loud',
          MAX_QUEUE_DELAY: 'soon',
          BODY_LIMIT: '0',
          MAX_REQUEST_ROWS: '0',
          ACCESS_LOG: 'maybe',
        },
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      [
        'PORT: must be an integer 0..65535, got "abc"',
        'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
        'BODY_LIMIT: must be > 0, got "0"',
        'MAX_BATCH_SIZE: must be > 0, got "0"',
        'MAX_QUEUE_DELAY: must be a duration like "10s", "500ms", "1m" (a bare number string means seconds), got "soon"',
        'MAX_REQUEST_ROWS: must be > 0, got "0"',
        'WORKERS: must be "auto" or an integer >= 0, got "1.5"',
        'ACCESS_LOG: must be on or off (or true/false, yes/no, 1/0), got "maybe"',
      ].join('\n'),
    );
    expect(error.issues?.[0]).toEqual({ path: 'PORT', message: 'must be an integer 0..65535, got "abc"' });
  });

  it.each(['-1', '65536', '80.5', '0x50'])('rejects PORT=%s', (port) => {
    expect(errorOf(() => loadModelServerConfig({ env: { PORT: port } })).message).toBe(
      `PORT: must be an integer 0..65535, got "${port}"`,
    );
  });

  it('applies defaults < file < env', () => {
    const file = write('server.yaml', 'port: 9000\nserverId: from-file\nbatching:\n  maxBatchSize: 4\n');
    const config = loadModelServerConfig({ env: { PORT: '9100' }, file });
    expect(config.port).toBe(9100); // env beats file
    expect(config.serverId).toBe('from-file'); // file beats default
    expect(config.batching).toEqual({ maxBatchSize: 4, maxQueueDelayMs: 2, maxQueueSize: 1024, maxBatchCells: 16_384 }); // deep merge
  });

  it('takes the file from CONFIG_FILE, and the file option over it', () => {
    const a = write('a.json', JSON.stringify({ serverId: 'a' }));
    const b = write('b.json', JSON.stringify({ serverId: 'b' }));
    expect(loadModelServerConfig({ env: { CONFIG_FILE: a } }).serverId).toBe('a');
    expect(loadModelServerConfig({ env: { CONFIG_FILE: a }, file: b }).serverId).toBe('b');
  });

  it('reports bad file values and unknown keys by path', () => {
    const file = write('bad.yaml', 'port: 70000\nbatching:\n  maxBatchSize: 0\n  maxQueueDelay: 5ms\ndrain: { timeoutMs: "1y" }\nhots: x\n');
    expect(errorOf(() => loadModelServerConfig({ env: {}, file })).message).toBe(
      [
        'port: must be an integer 0..65535, got 70000',
        'batching.maxBatchSize: must be > 0, got 0',
        'batching.maxQueueDelay: unknown key "maxQueueDelay" (did you mean "maxQueueDelayMs"?)',
        'drain.timeoutMs: must be a duration like "10s", "500ms", "1m" (a bare number string means seconds), got "1y"',
        'hots: unknown key "hots" (did you mean "host"?)',
      ].join('\n'),
    );
  });

  it('returns a deeply frozen object', () => {
    const config = loadModelServerConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.batching)).toBe(true);
    expect(() => {
      (config.batching as { maxBatchSize: number }).maxBatchSize = 1;
    }).toThrow(TypeError);
  });

  it('validates plain objects too', () => {
    expect(parseModelServerConfig({ serverId: 'x', drain: { delayMs: '2s' } }).drain.delayMs).toBe(2000);
    expect(errorOf(() => parseModelServerConfig({ serverId: '' })).message).toBe('serverId: must not be empty, got ""');
  });
});
