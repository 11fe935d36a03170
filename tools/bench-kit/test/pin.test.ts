/** Real taskset on a real child process (Linux; taskset is in util-linux, always installed). */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allCpus, allowedCpus, pinProcesses, spawnTracked, stopChild } from '../src/index.js';

/** Cpus_allowed_list of every thread of `pid`. */
function threadCpus(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => /^Cpus_allowed_list:\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? '?');
}

describe('pinProcesses', () => {
  it('moves every thread of a running process onto the given CPUs and back', async () => {
    // a Node child: several threads (libuv pool, V8 platform), so `-a` matters
    const child = spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid ?? 0;
    try {
      pinProcesses([pid], '0');
      expect(allowedCpus(pid)).toBe('0');
      expect(new Set(threadCpus(pid))).toEqual(new Set(['0']));
      pinProcesses([pid], allCpus(availableParallelism()));
      expect(allowedCpus(pid)).toBe(allCpus(availableParallelism()));
    } finally {
      await stopChild(child, 'SIGKILL');
    }
  });

  it('throws BENCH_PIN_FAILED for a process that does not exist', () => {
    expect(() => pinProcesses([2 ** 22 + 1], '0')).toThrow(expect.objectContaining({ code: 'BENCH_PIN_FAILED' }));
  });

  it('writes the whole machine in taskset syntax', () => {
    expect(allCpus(1)).toBe('0');
    expect(allCpus(4)).toBe('0-3');
  });
});
