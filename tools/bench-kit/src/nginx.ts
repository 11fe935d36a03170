/**
 * An NGINX master process in a temp prefix on a loopback port: start (config checked with
 * `nginx -t` first), reload with a new config (SIGHUP, waits for the new workers), graceful
 * (SIGQUIT) or fast (SIGTERM) stop, and the pids of the master and its workers for /proc.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';
import { nginxConfig, type NginxOptions } from './nginx-config.js';
import { childPids } from './proc.js';
import { captureOutput, isRunning, onCleanup, spawnTracked, stopChild } from './processes.js';
import { tcpOpen, waitFor } from './wait.js';

/** `nginx` on PATH or /usr/sbin/nginx; undefined when neither runs. */
export function nginxBinary(): string | undefined {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0) return bin;
  }
  return undefined;
}

/** `nginx/1.22.1` (from `nginx -v`, which prints to stderr). */
export function nginxVersion(bin: string): string {
  const out = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return `${out.stderr}${out.stdout}`.replace(/^nginx version:\s*/, '').trim();
}

export type NginxSettings = Omit<NginxOptions, 'prefix'>;

export interface NginxProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly prefix: string;
  /** Master + current workers. */
  pids(): number[];
  /** Writes the new config, checks it, SIGHUP, resolves once only new workers run. */
  reload(settings: NginxSettings): Promise<void>;
  /** `graceful`: SIGQUIT (finish in-flight requests); otherwise SIGTERM. Removes the prefix. */
  stop(mode?: 'graceful' | 'fast'): Promise<void>;
}

function writeChecked(bin: string, prefix: string, settings: NginxSettings): string {
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ ...settings, prefix }));
  const test = spawnSync(bin, ['-t', '-q', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  if (test.status !== 0) throw new BenchKitError(BENCH_KIT_ERRORS.NGINX_FAILED, `nginx -t refused the config:\n${test.stderr}`);
  return conf;
}

export async function startNginx(bin: string, settings: NginxSettings): Promise<NginxProcess> {
  const prefix = mkdtempSync(join(tmpdir(), 'fleet-nginx-'));
  const removePrefix = (): void => rmSync(prefix, { recursive: true, force: true });
  const unregister = onCleanup(removePrefix);
  const conf = writeChecked(bin, prefix, settings);
  const child = spawnTracked(bin, ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const workers = (): number[] => (isRunning(child) ? childPids(child.pid ?? 0) : []);
  await waitFor(async () => workers().length > 0 && (await tcpOpen(settings.port)), { name: 'nginx', timeoutMs: 10_000, child, detail: output });
  return {
    child,
    port: settings.port,
    prefix,
    pids: () => (isRunning(child) ? [child.pid ?? 0, ...workers()] : []),
    async reload(next) {
      const before = new Set(workers());
      writeChecked(bin, prefix, next);
      child.kill('SIGHUP');
      // done when the old workers are gone: until they see the master's SIGQUIT they still
      // accept new connections on the shared listening socket, with the old config
      await waitFor(async () => {
        const now = workers();
        return now.length > 0 && now.every((pid) => !before.has(pid));
      }, { name: 'nginx reload', timeoutMs: 10_000, child, detail: output });
    },
    async stop(mode = 'fast') {
      await stopChild(child, mode === 'graceful' ? 'SIGQUIT' : 'SIGTERM');
      unregister();
      removePrefix();
    },
  };
}
