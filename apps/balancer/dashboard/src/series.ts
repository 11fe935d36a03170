// Chart data per peer: the server's history on connect, then one point per frame, trimmed to
// the window. uPlot wants aligned columns: [seconds[], req/s[], p99 ms[]]. Pure.
import type { Frame, History, SeriesPoint } from '../../src/admin/frame.js';
import { seriesKey } from '../../src/admin/frame.js';

const GAP_MS = 3000;

export type Columns = [number[], (number | null)[], (number | null)[]];

export class SeriesStore {
  private peers = new Map<string, SeriesPoint[]>();
  seconds = 300;

  reset(history: History): void {
    this.seconds = history.seconds;
    this.peers = new Map(Object.entries(history.peers).map(([k, v]) => [k, v.slice()]));
  }

  addFrame(frame: Frame): void {
    for (const g of frame.groups) {
      for (const p of g.peers) {
        const key = seriesKey(g.name, p.id);
        const points = this.peers.get(key) ?? [];
        const last = points[points.length - 1];
        if (last === undefined || last.at < frame.at) points.push({ at: frame.at, rps: p.rps, p99Ms: p.p99Ms });
        this.peers.set(key, points);
      }
    }
    this.trim(frame.at);
  }

  /** A gap of more than GAP_MS between two points (nobody watched) is drawn as a gap. */
  columns(group: string, peer: string): Columns {
    const out: Columns = [[], [], []];
    let prev: number | undefined;
    for (const p of this.peers.get(seriesKey(group, peer)) ?? []) {
      if (prev !== undefined && p.at - prev > GAP_MS) {
        out[0].push((prev + 1000) / 1000);
        out[1].push(null);
        out[2].push(null);
      }
      out[0].push(p.at / 1000);
      out[1].push(p.rps);
      out[2].push(p.p99Ms);
      prev = p.at;
    }
    return out;
  }

  private trim(now: number): void {
    const oldest = now - this.seconds * 1000;
    for (const [key, points] of this.peers) {
      const keep = points.filter((p) => p.at >= oldest);
      if (keep.length === 0) this.peers.delete(key);
      else this.peers.set(key, keep);
    }
  }
}
