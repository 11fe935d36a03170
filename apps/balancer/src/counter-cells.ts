/**
 * Hot-path counter increments kept as plain numbers, one cell per label set, found through
 * one Map per label (no key string built, no label validation or hashing per request). The
 * counts are handed to the prom-client Counter when it is collected (at every scrape), so the
 * exposed values are the same as with `counter.inc(labels)` per request.
 */
export type LabelValue = string | number;

interface Cell {
  readonly labels: Record<string, string>;
  n: number;
}

export interface CounterSink {
  inc(labels: Record<string, string>, value: number): void;
}

type Level = Map<LabelValue, Level | Cell>;

export class CounterCells {
  private readonly root: Level = new Map();
  private readonly cells: Cell[] = [];

  constructor(private readonly labelNames: readonly string[]) {}

  /** Count one for these label values (one per label name, in order). */
  inc(...values: LabelValue[]): void {
    let level = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const key = values[i] as LabelValue;
      let next = level.get(key) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    const cell = level.get(values[last] as LabelValue) as Cell | undefined;
    if (cell !== undefined) {
      cell.n += 1;
      return;
    }
    this.create(level, values).n += 1;
  }

  /** Add the counts gathered since the last flush to `sink` (a prom-client Counter). */
  flushInto(sink: CounterSink): void {
    for (const cell of this.cells) {
      if (cell.n === 0) continue;
      sink.inc(cell.labels, cell.n);
      cell.n = 0;
    }
  }

  private create(level: Level, values: readonly LabelValue[]): Cell {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = String(values[i])));
    const cell: Cell = { labels, n: 0 };
    level.set(values[values.length - 1] as LabelValue, cell);
    this.cells.push(cell);
    return cell;
  }
}
