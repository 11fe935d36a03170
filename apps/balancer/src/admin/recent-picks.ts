/**
 * The dashboard's one hook on the request path: a fixed-size ring of the latest upstream
 * attempts (group, peer, status), written by `Metrics.attempt`. It records only while a
 * dashboard is watching (`enabled`, set by the sampler), so with nobody watching the cost
 * per attempt is one boolean check; while watching it is four array stores, no allocation.
 */
export interface Pick {
  /** Wall-clock time (ms since the epoch) of the attempt's outcome. */
  at: number;
  group: string;
  peer: string;
  /** The upstream status, or the error code when there was none. */
  status: number | string;
}

export class RecentPicks {
  enabled = false;
  private readonly at: number[];
  private readonly group: string[];
  private readonly peer: string[];
  private readonly status: (number | string)[];
  private next = 0;
  private size = 0;

  constructor(
    readonly capacity = 48,
    private readonly clock: () => number = Date.now,
  ) {
    this.at = new Array<number>(capacity).fill(0);
    this.group = new Array<string>(capacity).fill('');
    this.peer = new Array<string>(capacity).fill('');
    this.status = new Array<number | string>(capacity).fill(0);
  }

  record(group: string, peer: string, status: number | string): void {
    if (!this.enabled) return;
    const i = this.next;
    this.at[i] = this.clock();
    this.group[i] = group;
    this.peer[i] = peer;
    this.status[i] = status;
    this.next = (i + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
  }

  /** Oldest first. */
  list(): Pick[] {
    const out: Pick[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let k = 0; k < this.size; k++) {
      const i = (start + k) % this.capacity;
      out.push({ at: this.at[i] ?? 0, group: this.group[i] ?? '', peer: this.peer[i] ?? '', status: this.status[i] ?? 0 });
    }
    return out;
  }

  clear(): void {
    this.next = 0;
    this.size = 0;
  }
}
