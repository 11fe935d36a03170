/**
 * Which process listens where. Pure: a port of 0 stays 0 here ("any free port") and is
 * resolved at the edge (ports.ts) before anything is spawned.
 */
import type { StackOptions } from './args.js';
import { STACK_ERRORS, StackError } from './errors.js';

export interface PortSlot {
  /** Who needs the port: `server-2`, `balancer`, `balancer admin`. */
  owner: string;
  port: number;
}

export interface PortPlan {
  host: string;
  replicas: { serverId: string; port: number }[];
  balancer: number;
  admin: number;
}

export function serverId(index: number): string {
  return `server-${index + 1}`;
}

export function planPorts(options: Pick<StackOptions, 'host' | 'replicas' | 'port' | 'adminPort' | 'replicaPort'>): PortPlan {
  const { replicas, replicaPort } = options;
  if (replicaPort !== 0 && replicaPort + replicas - 1 > 65535) {
    throw new StackError(
      STACK_ERRORS.PORT_CONFLICT,
      `--replica-port ${replicaPort} with ${replicas} replicas runs past port 65535`,
    );
  }
  const plan: PortPlan = {
    host: options.host,
    replicas: Array.from({ length: replicas }, (_, i) => ({
      serverId: serverId(i),
      port: replicaPort === 0 ? 0 : replicaPort + i,
    })),
    balancer: options.port,
    admin: options.adminPort,
  };
  assertNoConflicts(plan);
  return plan;
}

export function portSlots(plan: PortPlan): PortSlot[] {
  return [
    ...plan.replicas.map((r) => ({ owner: r.serverId, port: r.port })),
    { owner: 'balancer', port: plan.balancer },
    { owner: 'balancer admin', port: plan.admin },
  ];
}

/** Two fixed ports the same → one clear error naming both owners. */
export function assertNoConflicts(plan: PortPlan): void {
  const seen = new Map<number, string>();
  for (const slot of portSlots(plan)) {
    if (slot.port === 0) continue;
    const other = seen.get(slot.port);
    if (other !== undefined) {
      throw new StackError(
        STACK_ERRORS.PORT_CONFLICT,
        `port ${slot.port} is planned for both ${other} and ${slot.owner}; choose other --port/--admin-port/--replica-port values`,
      );
    }
    seen.set(slot.port, slot.owner);
  }
}

/** Fill every 0 with the next port from `free` (in slot order). */
export function fillPorts(plan: PortPlan, free: readonly number[]): PortPlan {
  let next = 0;
  const take = (port: number): number => {
    if (port !== 0) return port;
    const value = free[next++];
    if (value === undefined) throw new StackError(STACK_ERRORS.PORT_CHECK_FAILED, 'not enough free ports were allocated');
    return value;
  };
  const filled: PortPlan = {
    host: plan.host,
    replicas: plan.replicas.map((r) => ({ serverId: r.serverId, port: take(r.port) })),
    balancer: take(plan.balancer),
    admin: take(plan.admin),
  };
  assertNoConflicts(filled);
  return filled;
}

/** `UPSTREAMS` for the balancer: NGINX server lines separated by commas. */
export function upstreamsEnv(plan: PortPlan): string {
  const host = formatHost(reachableHost(plan.host));
  return plan.replicas.map((r) => `${host}:${r.port}`).join(',');
}

/** A wildcard bind address is reached through loopback. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Where a client on this machine reaches a process bound to `host`. */
export function clientUrl(host: string, port: number): string {
  return `http://${formatHost(reachableHost(host))}:${port}`;
}
