/**
 * The processes of one bench scenario (`scenarios.ts`): the backends (the trivial backend, or two
 * real model-server replicas) and every target in front of them (NGINX, one fleet balancer per
 * fleet target), all from `@fleet/bench-kit`. Direct has no process of its own.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  childPids,
  nginxSettingsFor,
  serverLines,
  spawnListening,
  startFleetBalancer,
  startNginx,
  type ListeningProcess,
} from '@fleet/bench-kit';
import { replicaArgv } from '@fleet/model-server/node-flags';
import type { ScenarioName } from './config.js';
import type { Target } from './targets.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const BALANCER_MAIN = join(here, '../dist/main.js');
const TRIVIAL = join(here, 'trivial-backend.mjs');

/** A target ready for load: where to send it and whose CPU to count. */
export interface Running {
  target: Target;
  /** Ports wrk sends to (direct: every backend, the connections split between them). */
  ports: number[];
  /** The proxy's processes (NGINX: master + workers); none for direct. */
  pids(): number[];
  stop(): Promise<void>;
}

export function startBackends(scenario: ScenarioName): Promise<ListeningProcess[]> {
  if (scenario === 'trivial') return Promise.all([spawnListening(process.execPath, [TRIVIAL], { PORT: '0' })]);
  const replica = (id: string): Promise<ListeningProcess> =>
    spawnListening(process.execPath, replicaArgv(), { HOST: '127.0.0.1', PORT: '0', SERVER_ID: id, LOG_LEVEL: 'info', WORKERS: '1', INTRA_OP_THREADS: '1' }, 60_000);
  return Promise.all([replica('bench-1'), replica('bench-2')]);
}

/** Every process of the backends, their children included. */
export function backendPids(backends: readonly ListeningProcess[]): number[] {
  return backends.flatMap((b) => [b.child.pid ?? 0, ...childPids(b.child.pid ?? 0)]).filter((pid) => pid > 0);
}

/** Starts `target` in front of `backends`; `ports` are two free ports for its listener and admin. */
export async function startTarget(target: Target, backends: readonly ListeningProcess[], ports: [number, number], nginxBin: string | undefined): Promise<Running> {
  const servers = serverLines(backends.map((b) => b.port));
  const setup = { port: ports[0], adminPort: ports[1], servers };
  if (target.kind === 'direct') return { target, ports: backends.map((b) => b.port), pids: () => [], stop: async () => undefined };
  if (target.kind === 'nginx') {
    if (nginxBin === undefined) throw new Error('nginx target without an nginx binary');
    const n = await startNginx(nginxBin, nginxSettingsFor(setup));
    return { target, ports: [n.port], pids: () => n.pids(), stop: () => n.stop('fast') };
  }
  const f = await startFleetBalancer(target.main ?? BALANCER_MAIN, { ...setup, fleetOverrides: target.fleet ?? {} }, target.nodeFlags === undefined ? {} : { nodeArgs: target.nodeFlags });
  return { target, ports: [f.port], pids: () => f.pids(), stop: () => f.stop('graceful') };
}
