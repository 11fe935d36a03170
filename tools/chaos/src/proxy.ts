/**
 * The proxy under test, fleet's balancer or NGINX, configured alike (@fleet/bench-kit's
 * matched-proxies: same server lines, keepalive, retries incl. POST, timeouts), behind one
 * interface: reload onto another server list, stop gracefully, pids for /proc.
 */
import { createRequire } from 'node:module';
import { nginxSettingsFor, startFleetBalancer, startNginx, type ProxySetup } from '@fleet/bench-kit';
import type { SystemName } from './config.js';

const BALANCER_MAIN = createRequire(import.meta.url).resolve('@fleet/balancer/main');

export interface Proxy {
  pids(): number[];
  reload(servers: string[]): Promise<void>;
  /** Graceful: fleet drains on SIGTERM, NGINX on SIGQUIT. Idempotent. */
  stop(): Promise<void>;
}

export interface ProxyPorts {
  port: number;
  adminPort: number;
}

export async function startProxy(system: SystemName, nginxBin: string | undefined, ports: ProxyPorts, servers: string[], headerTimeoutS: number): Promise<Proxy> {
  const setup = (s: string[]): ProxySetup => ({ port: ports.port, adminPort: ports.adminPort, servers: s, headerTimeoutS });
  let stopped: Promise<void> | undefined;
  if (system === 'fleet') {
    const b = await startFleetBalancer(BALANCER_MAIN, setup(servers));
    return { pids: () => b.pids(), reload: (s) => b.reload(setup(s)), stop: () => (stopped ??= b.stop('graceful')) };
  }
  if (nginxBin === undefined) throw new Error('nginx is not installed');
  const n = await startNginx(nginxBin, nginxSettingsFor(setup(servers)));
  return { pids: () => n.pids(), reload: (s) => n.reload(nginxSettingsFor(setup(s))), stop: () => (stopped ??= n.stop('graceful')) };
}
