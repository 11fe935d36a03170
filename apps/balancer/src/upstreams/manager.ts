import type { BalancerConfig } from '@fleet/config';
import type { GroupSnapshot } from '@fleet/lb-core';
import { createUpstream, type Upstream, type UpstreamDeps } from './upstream.js';

/** All upstream groups by name; `apply` reconciles them with a reloaded config. */
export interface Upstreams {
  get(name: string): Upstream | undefined;
  all(): Upstream[];
  apply(config: BalancerConfig): Promise<void>;
  snapshots(): GroupSnapshot[];
  close(): Promise<void>;
}

export async function createUpstreams(config: BalancerConfig, deps: UpstreamDeps): Promise<Upstreams> {
  const groups = new Map<string, Upstream>();
  for (const [name, cfg] of Object.entries(config.upstreams)) {
    groups.set(name, await createUpstream(name, cfg, deps));
  }
  return {
    get: (name) => groups.get(name),
    all: () => [...groups.values()],
    async apply(next) {
      for (const [name, upstream] of groups) {
        if (next.upstreams[name] === undefined) {
          groups.delete(name);
          await upstream.close();
        }
      }
      for (const [name, cfg] of Object.entries(next.upstreams)) {
        const existing = groups.get(name);
        if (existing) await existing.update(cfg, next.retryBudget);
        else groups.set(name, await createUpstream(name, cfg, { ...deps, retryBudget: next.retryBudget }));
      }
    },
    snapshots: () => [...groups.values()].map((u) => u.group.snapshot(deps.now())),
    async close() {
      await Promise.all([...groups.values()].map((u) => u.close()));
      groups.clear();
    },
  };
}
