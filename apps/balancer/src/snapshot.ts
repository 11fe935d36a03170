import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BalancerConfig } from '@fleet/config';
import { createForwarding, type Forwarding } from './forwarded.js';
import { compileHashKey, type HashKeyFn } from './hash-key.js';
import { createLimits, type Limits } from './limits/index.js';
import { bodyTempDir, checkBodyTempPath } from './limits/temp-path.js';
import type { RequestTarget } from './request-target.js';
import { createRouter, type Router } from './routes.js';
import { createStatic } from './static.js';
import type { GroupView } from './upstreams/upstream.js';

/**
 * One immutable snapshot per configuration (pingora's `ArcSwap` of the selector): routes,
 * limits, forwarding rules and, per upstream group, its config and the lb-core group and pool
 * handles it was built with. A reload builds the next one completely (DNS included) and swaps
 * it once; each request captures the snapshot it starts with (`SnapshotCell.enter`) and keeps
 * it to the end, so no request ever sees half of a reload.
 */
export interface Snapshot {
  readonly config: BalancerConfig;
  readonly router: Router;
  readonly forwarding: Forwarding;
  readonly limits: Limits;
  /** Null without static mounts, so the request path skips an async call per request. */
  readonly serveStatic: ((req: IncomingMessage, res: ServerResponse, url: RequestTarget) => Promise<boolean>) | null;
  /** Compiled `hash` keys per upstream group (groups without a key are absent). */
  readonly hashKeys: ReadonlyMap<string, HashKeyFn>;
  readonly groups: ReadonlyMap<string, GroupView>;
  /**
   * Where request bodies are spooled: `limits.clientBodyTempPath`, else the OS temp dir as the
   * environment said when this snapshot was built (the directory `checkBodyTempPath` checked).
   */
  readonly bodyTempDir: string;
}

/**
 * The parts that need no I/O beyond a check of the body temp dir. Throws (bad CIDR, hash key,
 * regex, unusable body temp dir) before anything is applied.
 */
export type SnapshotParts = Omit<Snapshot, 'groups'>;

export function buildSnapshotParts(config: BalancerConfig, now: () => number): SnapshotParts {
  const tempDir = bodyTempDir(config.limits);
  checkBodyTempPath(config, tempDir);
  const hashKeys = new Map<string, HashKeyFn>();
  for (const [name, group] of Object.entries(config.upstreams)) {
    if (group.hashKey !== undefined && group.hashKey !== '') hashKeys.set(name, compileHashKey(group.hashKey));
  }
  return {
    config,
    router: createRouter(config.routes),
    forwarding: createForwarding({ trustedProxies: config.trustedProxies, realIpHeader: config.realIpHeader }),
    limits: createLimits(config.limits, { now }),
    serveStatic: config.static.length === 0 ? null : createStatic(config.static),
    hashKeys,
    bodyTempDir: tempDir,
  };
}

/**
 * Holds the current snapshot and counts the requests still running on older ones, so that
 * what a swap retires (a removed group's pools and probes) is released only once no request
 * can reach it any more (the `Arc` drop of pingora).
 */
export class SnapshotCell {
  private users = new Map<Snapshot, number>();
  private retiring: (() => void)[] = [];

  constructor(private current: Snapshot) {}

  get(): Snapshot {
    return this.current;
  }

  /** Capture the current snapshot for one request; pair with `leave`. */
  enter(): Snapshot {
    const s = this.current;
    this.users.set(s, (this.users.get(s) ?? 0) + 1);
    return s;
  }

  leave(s: Snapshot): void {
    const n = (this.users.get(s) ?? 1) - 1;
    if (n > 0) this.users.set(s, n);
    else this.users.delete(s);
    this.flush();
  }

  /** Make `next` current; `retire` runs once no request holds an older snapshot. */
  swap(next: Snapshot, retire?: () => void): void {
    this.current = next;
    if (retire !== undefined) this.retiring.push(retire);
    this.flush();
  }

  private flush(): void {
    if (this.retiring.length === 0) return;
    for (const s of this.users.keys()) if (s !== this.current) return;
    const due = this.retiring;
    this.retiring = [];
    for (const fn of due) fn();
  }
}
