/**
 * fleet's balancer as a process (`node <main.js>` with a config file): start, reload with a new
 * setup (SIGHUP; waits until the admin /status lists the new peer count), graceful stop
 * (SIGTERM drains) or fast stop. The entry path is passed in, so this kit does not depend on
 * the balancer package; the node flags are that build's own (`node-flags.js` beside its entry,
 * `BALANCER_NODE_FLAGS`; none for a build before it), so a baseline build starts as it shipped.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNodeFlags } from './build-node-flags.js';
import { fleetConfigFor, type ProxySetup } from './matched-proxies.js';
import { captureOutput, isRunning, onCleanup, spawnTracked, stopChild } from './processes.js';
import { httpOk, waitFor } from './wait.js';

export interface FleetBalancer {
  readonly child: ChildProcess;
  readonly port: number;
  pids(): number[];
  reload(setup: ProxySetup): Promise<void>;
  /** `graceful`: SIGTERM (drain); `fast`: SIGKILL. Removes the config dir. */
  stop(mode?: 'graceful' | 'fast'): Promise<void>;
}

async function peerCount(adminPort: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/status`, { signal: AbortSignal.timeout(2000) });
  const body = (await res.json()) as { upstreams?: Record<string, { peers?: unknown[] }> };
  return Object.values(body.upstreams ?? {}).reduce((n, g) => n + (g.peers?.length ?? 0), 0);
}

export interface FleetBalancerOptions {
  /** Polled until it answers 2xx (default `/health`). */
  readyPath?: string;
  /** `node` flags before the entry; default: the build's own (`balancerNodeFlags(mainJs)`). */
  nodeArgs?: readonly string[];
}

/** The node flags the build of `mainJs` starts with (its `node-flags.js`; none in builds before it). */
export function balancerNodeFlags(mainJs: string): Promise<readonly string[]> {
  return buildNodeFlags(mainJs, 'BALANCER_NODE_FLAGS');
}

export async function startFleetBalancer(mainJs: string, setup: ProxySetup, options: FleetBalancerOptions = {}): Promise<FleetBalancer> {
  const readyPath = options.readyPath ?? '/health';
  const nodeArgs = options.nodeArgs ?? (await balancerNodeFlags(mainJs));
  const dir = mkdtempSync(join(tmpdir(), 'fleet-balancer-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  const unregister = onCleanup(removeDir);
  const file = join(dir, 'balancer.json');
  writeFileSync(file, JSON.stringify(fleetConfigFor(setup)));
  const child = spawnTracked(process.execPath, [...nodeArgs, mainJs], { env: { ...process.env, CONFIG_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const stop = async (mode: 'graceful' | 'fast' = 'graceful'): Promise<void> => {
    await stopChild(child, mode === 'graceful' ? 'SIGTERM' : 'SIGKILL');
    unregister();
    removeDir();
  };
  try {
    await waitFor(() => httpOk(`http://127.0.0.1:${setup.port}${readyPath}`), { name: 'balancer', timeoutMs: 30_000, child, detail: output });
  } catch (error) {
    await stop('fast');
    throw error;
  }
  return {
    child,
    port: setup.port,
    pids: () => (isRunning(child) ? [child.pid ?? 0] : []),
    async reload(next) {
      writeFileSync(file, JSON.stringify(fleetConfigFor(next)));
      child.kill('SIGHUP');
      await waitFor(async () => (await peerCount(setup.adminPort)) === next.servers.length, { name: 'balancer reload', timeoutMs: 10_000, child, detail: output });
    },
    stop,
  };
}
