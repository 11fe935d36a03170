/**
 * CPU affinity of running processes (`taskset -a -p`: every thread, so a Node process's
 * libuv and GC threads move with it), to keep a load generator off the core a proxy is
 * measured on. Linux only.
 */
import { spawnSync } from 'node:child_process';
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';
import { parseCpusAllowed } from './proc-parse.js';
import { readProc } from './proc.js';

/** Every thread of every process in `pids` allowed only on `cpus` (taskset syntax: `0`, `1`, `0-1`). */
export function pinProcesses(pids: readonly number[], cpus: string): void {
  for (const pid of pids) {
    // `taskset -a -p` exits 0 for a pid that does not exist (it pins the threads it finds: none)
    if (allowedCpus(pid) === undefined) throw new BenchKitError(BENCH_KIT_ERRORS.PIN_FAILED, `cannot pin ${pid}: no such process`);
    const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
    if (r.status !== 0) throw new BenchKitError(BENCH_KIT_ERRORS.PIN_FAILED, `taskset -a -p -c ${cpus} ${pid} failed: ${r.error?.message ?? r.stderr}`);
  }
}

/** `Cpus_allowed_list` of a process (`0-1`); undefined when it is gone. */
export function allowedCpus(pid: number): string | undefined {
  const text = readProc(pid, 'status');
  return text === undefined ? undefined : parseCpusAllowed(text);
}

/** Every CPU of this machine, in taskset syntax (`0-1` on two cores). */
export function allCpus(count: number): string {
  return count > 1 ? `0-${count - 1}` : '0';
}
