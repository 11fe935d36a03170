/**
 * Samples the balancer once per second, off the request path (lb-core snapshots and one read
 * of two metrics: well under a millisecond), keeps the last minutes of per-peer req/s and p99
 * for the charts, so a page opened now shows the recent past, and hands every frame to the
 * dashboards watching. The ring of latest picks, the only part on the request path, records
 * only while at least one dashboard watches.
 */
import type { GroupSnapshot, PeerSnapshot } from '@fleet/lb-core';
import type { StubStatus } from '../status.js';
import type { ProbeResult } from '../upstreams/health-check.js';
import { buildFrame } from './build-frame.js';
import type { Frame, History } from './frame.js';
import { ChartHistory } from './history.js';
import type { TotalsSample } from './peer-totals.js';
import type { RecentPicks } from './recent-picks.js';
import { peerStats, type TimedSample } from './window-stats.js';

/** Everything the dashboard reads: existing state only, through this one small interface. */
export interface DashboardSources {
  snapshots(): GroupSnapshot[];
  health(group: string): ReadonlyMap<string, ProbeResult>;
  retrying(group: string): number;
  stub(): StubStatus;
  totals(): Promise<TotalsSample>;
  picks: RecentPicks;
  /** Whether an admin token is configured (the page then offers drain/undrain). */
  actions(): boolean;
  serverId(group: string, peer: PeerSnapshot): string | null;
}

export interface SamplerOptions {
  /** Monotonic ms (the clock of ProbeResult.at). */
  now: () => number;
  wallNow: () => number;
  intervalMs?: number;
  windowSeconds?: number;
  historySeconds?: number;
  onError(err: unknown): void;
}

export type FrameListener = (frame: Frame) => void;

export class Sampler {
  private readonly listeners = new Set<FrameListener>();
  private readonly chart: ChartHistory;
  private samples: TimedSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private last: Frame | undefined;

  constructor(
    private readonly sources: DashboardSources,
    private readonly opts: SamplerOptions,
  ) {
    this.chart = new ChartHistory(opts.historySeconds ?? 300);
  }

  get watchers(): number {
    return this.listeners.size;
  }

  history(): History {
    return this.chart.snapshot();
  }

  latest(): Frame | undefined {
    return this.last;
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    this.sources.picks.enabled = true;
    if (this.last !== undefined) listener(this.last);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.sources.picks.enabled = false;
      this.sources.picks.clear();
    };
  }

  /** Sample now and then every interval, until close(). */
  start(): void {
    if (this.timer !== undefined) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? 1000).unref();
  }

  /** One sample now (the timer calls it; tests may too). Ticks never overlap. */
  async tick(): Promise<Frame | undefined> {
    if (this.running === undefined) {
      this.running = this.sample().finally(() => (this.running = undefined));
    }
    await this.running;
    return this.last;
  }

  close(): void {
    this.listeners.clear();
    clearInterval(this.timer);
    this.timer = undefined;
    this.sources.picks.enabled = false;
  }

  private async sample(): Promise<void> {
    try {
      const totals = await this.sources.totals();
      const frame = this.frameFrom({ at: this.opts.now(), sample: totals });
      this.last = frame;
      for (const listener of this.listeners) listener(frame);
    } catch (err) {
      this.opts.onError(err);
    }
  }

  private frameFrom(current: TimedSample): Frame {
    const windowSeconds = this.opts.windowSeconds ?? 10;
    const previous = this.samples[this.samples.length - 1];
    this.samples = this.samples.filter((s) => current.at - s.at <= windowSeconds * 1000);
    const windowStart = this.samples[0] ?? current;
    this.samples.push(current);
    const at = this.opts.wallNow();
    const frame = buildFrame({
      at,
      now: current.at,
      windowSeconds,
      stub: this.sources.stub(),
      groups: this.sources.snapshots(),
      health: (g) => this.sources.health(g),
      retrying: (g) => this.sources.retrying(g),
      stats: (g, p) => peerStats(g, p, current, previous, windowStart),
      serverId: (g, p) => this.sources.serverId(g, p),
      picks: this.sources.picks.list(),
      actions: this.sources.actions(),
    });
    for (const g of frame.groups) for (const p of g.peers) this.chart.add(g.name, p.id, { at, rps: p.rps, p99Ms: p.p99Ms });
    this.chart.trim(at);
    return frame;
  }
}
