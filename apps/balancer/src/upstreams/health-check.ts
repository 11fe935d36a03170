import { createAgent, request, type Agent } from './undici.js';
import type { UpstreamGroupConfig } from '@fleet/config';
import type { Group } from '@fleet/lb-core';

/**
 * Active health checks (NGINX Plus `health_check`): every `intervalMs`, GET `path` on each peer
 * with its own short timeout; the status must equal `expectStatus`. Probe I/O lives here; the
 * state machine (passes/fails thresholds, health gating of new peers) is lb-core's
 * `observeHealthCheck`. Probes of one round never overlap the next round.
 */
export type HealthCheckConfig = UpstreamGroupConfig['healthCheck'];

export interface ProbeResult {
  ok: boolean;
  status?: number;
  error?: string;
  durationMs: number;
  at: number;
}

export interface HealthLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface HealthChecker {
  /** Probe the given peers (default: all) once, now. */
  checkNow(peerIds?: readonly string[]): Promise<void>;
  results(): ReadonlyMap<string, ProbeResult>;
  stop(): Promise<void>;
}

export interface HealthCheckerDeps {
  group: () => Group;
  peers: () => readonly { id: string; address: string }[];
  now: () => number;
  logger: HealthLogger;
  onProbe?: (peerId: string, result: ProbeResult) => void;
}

async function probe(agent: Agent, address: string, cfg: HealthCheckConfig): Promise<{ ok: boolean; status?: number }> {
  const res = await request(agent, `http://${address}${cfg.path}`, {
    method: 'GET',
    headers: { 'user-agent': 'fleet-balancer-health-check' },
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    signal: AbortSignal.timeout(cfg.timeoutMs),
  });
  await res.body.dump();
  return { ok: res.statusCode === cfg.expectStatus, status: res.statusCode };
}

async function probeResult(agent: Agent, address: string, cfg: HealthCheckConfig, now: () => number): Promise<ProbeResult> {
  const started = now();
  try {
    const r = await probe(agent, address, cfg);
    return { ...r, durationMs: now() - started, at: now() };
  } catch (err) {
    const error = (err as { code?: string }).code ?? (err as Error).name;
    return { ok: false, error, durationMs: now() - started, at: now() };
  }
}

function logFlip(deps: HealthCheckerDeps, id: string, result: ProbeResult): void {
  const fields = { group: deps.group().name, peer: id, healthy: result.ok, status: result.status, error: result.error };
  if (result.ok) deps.logger.info(fields, 'health check state changed');
  else deps.logger.warn(fields, 'health check state changed');
}

export function startHealthChecker(cfg: HealthCheckConfig, deps: HealthCheckerDeps): HealthChecker {
  const agent = createAgent({ keepAliveTimeout: Math.max(1, Math.min(cfg.intervalMs, 4000)), connect: { timeout: cfg.timeoutMs } });
  const results = new Map<string, ProbeResult>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let round: Promise<void> = Promise.resolve();

  const checkPeer = async (id: string, address: string): Promise<void> => {
    const result = await probeResult(agent, address, cfg, deps.now);
    if (stopped) return;
    results.set(id, result);
    deps.onProbe?.(id, result);
    if (deps.group().observeHealthCheck(id, result.ok, deps.now())) logFlip(deps, id, result);
  };

  const checkNow = async (peerIds?: readonly string[]): Promise<void> => {
    const current = deps.peers();
    const wanted = peerIds === undefined ? current : current.filter((p) => peerIds.includes(p.id));
    const live = new Set(current.map((p) => p.id));
    for (const id of results.keys()) if (!live.has(id)) results.delete(id);
    await Promise.all(wanted.map((p) => checkPeer(p.id, p.address)));
  };

  const loop = (): void => {
    round = checkNow().finally(() => {
      if (!stopped) timer = setTimeout(loop, cfg.intervalMs).unref();
    });
  };
  loop();

  return {
    checkNow,
    results: () => results,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round.catch((err: unknown) => deps.logger.warn({ err }, 'health check round failed during stop'));
      await agent.close();
    },
  };
}
