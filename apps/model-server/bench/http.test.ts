/** The bench's /proc readers: what a round's figures are read from. */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCount } from './http.js';

describe('threadCount', () => {
  it.runIf(process.platform === 'linux')('counts a process\'s threads, one more while a worker thread runs', async () => {
    const before = await threadCount(process.pid);
    expect(before).toBeGreaterThanOrEqual(1);
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage("up"); setInterval(() => {}, 1000);', { eval: true });
    try {
      await once(worker, 'message');
      expect(await threadCount(process.pid)).toBeGreaterThan(before as number);
    } finally {
      await worker.terminate();
    }
  });

  it.runIf(process.platform === 'linux')('is undefined for a process that is not there', async () => {
    expect(await threadCount(2 ** 22 + 1)).toBeUndefined();
  });
});
