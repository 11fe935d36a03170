/**
 * The per-peer chart history the server keeps (so a page opened now shows the last minutes
 * it sampled): one bounded ring of points per peer, trimmed by age. Pure.
 */
import { seriesKey, type History, type SeriesPoint } from './frame.js';

export class ChartHistory {
  private readonly peers = new Map<string, SeriesPoint[]>();

  constructor(readonly seconds: number) {}

  add(group: string, peer: string, point: SeriesPoint): void {
    const key = seriesKey(group, peer);
    let points = this.peers.get(key);
    if (points === undefined) {
      points = [];
      this.peers.set(key, points);
    }
    points.push(point);
  }

  /** Drop points older than the window and peers that have none left. */
  trim(now: number): void {
    const oldest = now - this.seconds * 1000;
    for (const [key, points] of this.peers) {
      let drop = 0;
      while (drop < points.length && (points[drop]?.at ?? 0) < oldest) drop += 1;
      if (drop > 0) points.splice(0, drop);
      if (points.length === 0) this.peers.delete(key);
    }
  }

  snapshot(): History {
    const peers: Record<string, SeriesPoint[]> = {};
    for (const [key, points] of this.peers) peers[key] = points.slice();
    return { seconds: this.seconds, peers };
  }
}
