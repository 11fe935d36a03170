import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Child processes for the benchmark: wait for a JSON `listening` line, read peak RSS, stop. */
export interface Proc {
  child: ChildProcess;
  port: number;
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

const all = new Set<ChildProcess>();
process.on('exit', () => all.forEach((c) => c.kill('SIGKILL')));

export function spawnListening(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Proc> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  all.add(child);
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}:\n${out}`)));
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"listening"')) continue;
        const ready = JSON.parse(line) as Record<string, unknown>;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, port: Number(ready.port), ready, stop });
        return;
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  });
}

/** Peak resident set size (VmHWM) of a process and its children listed in `pids`, in MB. */
export function peakRssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch (err) {
      process.stderr.write(`cannot read RSS of ${pid}: ${String(err)}\n`);
    }
  }
  return Math.round(kb / 1024);
}

/** Worker pids of an NGINX master (from /proc). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch (err) {
    process.stderr.write(`cannot list NGINX workers (${String(err)}); counting the master alone\n`);
    return [];
  }
}
