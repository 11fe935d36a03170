import type { BalancerConfig } from '@fleet/config';
import type { GroupSnapshot } from '@fleet/lb-core';
import { createUpstream, prepareGroup, type GroupView, type PreparedGroup, type Upstream, type UpstreamDeps } from './upstream.js';

/**
 * The registry of long-lived upstream resources, by group name (and inside each group by peer
 * id: lb-core peer state, connection pool, health probe). They survive configuration
 * snapshots. A reload is two steps: `prepare` resolves every group's servers (DNS) without
 * touching anything that runs; `commit` installs the result synchronously and returns the
 * frozen group views for the new snapshot, which the caller swaps in the same tick. Groups the
 * new config drops are handed back (`removed`) for the caller to close once no request holds
 * an older snapshot.
 */
export interface PreparedUpstreams {
  readonly config: BalancerConfig;
  readonly groups: ReadonlyMap<string, PreparedGroup>;
}

export interface Committed {
  readonly views: ReadonlyMap<string, GroupView>;
  readonly removed: readonly Upstream[];
}

export interface Upstreams {
  get(name: string): Upstream | undefined;
  all(): Upstream[];
  prepare(config: BalancerConfig): Promise<PreparedUpstreams>;
  commit(prepared: PreparedUpstreams): Committed;
  snapshots(): GroupSnapshot[];
  close(): Promise<void>;
}

export function createUpstreams(deps: UpstreamDeps): Upstreams {
  const groups = new Map<string, Upstream>();
  return {
    get: (name) => groups.get(name),
    all: () => [...groups.values()],
    async prepare(config) {
      const entries = Object.entries(config.upstreams);
      const prepared = await Promise.all(entries.map(([, cfg]) => prepareGroup(cfg, deps)));
      return { config, groups: new Map(entries.map(([name], i) => [name, prepared[i] as PreparedGroup])) };
    },
    commit({ config, groups: next }) {
      const removed: Upstream[] = [];
      for (const [name, upstream] of groups) {
        if (next.has(name)) continue;
        groups.delete(name);
        removed.push(upstream);
      }
      for (const [name, prepared] of next) {
        const existing = groups.get(name);
        if (existing) existing.apply(prepared, config.retryBudget);
        else groups.set(name, createUpstream(name, prepared, { ...deps, retryBudget: config.retryBudget }));
      }
      return { views: new Map([...groups].map(([name, u]) => [name, u.view()])), removed };
    },
    snapshots: () => [...groups.values()].map((u) => u.group.snapshot(deps.now())),
    async close() {
      await Promise.all([...groups.values()].map((u) => u.close()));
      groups.clear();
    },
  };
}
