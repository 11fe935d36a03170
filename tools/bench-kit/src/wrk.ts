/**
 * wrk as the load generator: fixed duration, keep-alive connections, a Lua script from
 * `wrkScript`, optionally pinned to given CPUs with `taskset` so it stays off the cores being
 * measured. Its own CPU time is reported so a reader can see what the load generator cost.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';
import { reapedChildrenCpuSeconds } from './proc.js';
import { onCleanup, spawnTracked } from './processes.js';
import { parseWrkOutput, wrkScript, type WrkRequest, type WrkResult } from './wrk-script.js';

/** `wrk` on PATH; undefined when missing. */
export function wrkBinary(): string | undefined {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return out.error === undefined && /wrk/.test(`${out.stdout}${out.stderr}`) ? 'wrk' : undefined;
}

export function wrkVersion(bin: string): string {
  const out = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return /wrk \S+/.exec(`${out.stdout}${out.stderr}`)?.[0] ?? 'wrk';
}

export interface WrkRun {
  bin: string;
  url: string;
  requests: readonly WrkRequest[];
  connections: number;
  durationS: number;
  /** Requests slower than this count as `timeout` errors (wrk's default is 2 s). */
  timeoutS?: number;
  threads?: number;
  /** CPUs for `taskset -c` (e.g. `1`); unset = not pinned. */
  cpus?: string;
}

export interface WrkRunResult extends WrkResult {
  /** CPU seconds wrk itself used (reaped children's time of this process, before/after). */
  loadGeneratorCpuS: number;
}

export async function runWrk(run: WrkRun): Promise<WrkRunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-wrk-'));
  const unregister = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const script = join(dir, 'load.lua');
    writeFileSync(script, wrkScript(run.requests));
    const args = [
      `-c${run.connections}`,
      `-t${run.threads ?? 1}`,
      `-d${run.durationS}s`,
      `--timeout`,
      `${run.timeoutS ?? 10}s`,
      '-s',
      script,
      run.url,
    ];
    const [cmd, argv] = run.cpus === undefined ? [run.bin, args] : ['taskset', ['-c', run.cpus, run.bin, ...args]];
    const child = spawnTracked(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const cpuBefore = reapedChildrenCpuSeconds();
    const [code] = (await once(child, 'exit')) as [number | null];
    const result = parseWrkOutput(stdout);
    if (code !== 0 || result === undefined) {
      throw new BenchKitError(BENCH_KIT_ERRORS.WRK_FAILED, `wrk exited ${code} without a result:\n${stderr}${stdout}`);
    }
    return { ...result, loadGeneratorCpuS: reapedChildrenCpuSeconds() - cpuBefore };
  } finally {
    unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}

