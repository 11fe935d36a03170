/**
 * A child that picks its own port (`PORT=0`) and says which on stdout, as one JSON line with
 * `"listening"` and a `port` (fleet's balancer and model-server log lines, the benches'
 * trivial backend): spawned tracked, ready once that line is read.
 */
import type { ChildProcess } from 'node:child_process';
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';
import { captureOutput, spawnTracked, stopChild } from './processes.js';

export interface ListeningProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** The parsed `listening` line. */
  readonly ready: Record<string, unknown>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The first complete line of `text` that is a JSON `listening` line with a port; undefined when none yet. */
export function parseListeningLine(text: string): { port: number; ready: Record<string, unknown> } | undefined {
  const lines = text.split('\n').slice(0, -1); // the last piece may be an unfinished line
  for (const line of lines) {
    if (!line.includes('"listening"')) continue;
    try {
      const ready = JSON.parse(line) as Record<string, unknown>;
      const port = Number(ready.port);
      if (Number.isInteger(port) && port > 0) return { port, ready };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error; // not JSON: some other line mentioning "listening"
    }
  }
  return undefined;
}

export function spawnListening(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ListeningProcess> {
  const child = spawnTracked(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => stopChild(child, signal);
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (error: BenchKitError): void => {
      cleanup();
      void stop('SIGKILL').finally(() => reject(error));
    };
    const timer = setTimeout(() => fail(new BenchKitError(BENCH_KIT_ERRORS.READY_TIMEOUT, `${cmd} did not say "listening" in ${timeoutMs} ms\n${output()}`)), timeoutMs);
    const onExit = (code: number | null, signal: string | null): void =>
      fail(new BenchKitError(BENCH_KIT_ERRORS.EXITED_BEFORE_READY, `${cmd} exited (${code ?? signal}) before it was listening\n${output()}`));
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const found = parseListeningLine(stdout);
      if (found === undefined) return;
      cleanup();
      resolve({ child, port: found.port, ready: found.ready, stop });
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
    }
    child.once('exit', onExit);
    child.stdout?.on('data', onData);
  });
}
