/**
 * A Prometheus histogram with two labels observed on the hot path as plain numbers: one cell per
 * label pair found through two Maps (no label validation, hashing or key string per observation,
 * which prom-client's `Histogram.observe` does every time: ~1.7 % of the engine's CPU per request
 * in the issue-9 profile). Registered on a prom-client Registry as a metric of its own (`get()`
 * returns what prom-client's Histogram returns), so the exposition is the same line for line
 * (`histogram-cells.test.ts` compares the two on the same observations).
 */
interface Cell {
  readonly labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last one is over every bound (+Inf only). */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface ValuePair {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export interface HistogramCellsOptions {
  name: string;
  help: string;
  labelNames: readonly [string, string];
  /** Upper bounds, ascending (prom-client's `buckets`). */
  buckets: readonly number[];
}

export class HistogramCells {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly cells = new Map<string, Map<string, Cell>>();

  constructor(private readonly options: HistogramCellsOptions) {
    this.name = options.name;
    this.help = options.help;
  }

  observe(first: string, second: string, value: number): void {
    let level = this.cells.get(first);
    if (level === undefined) {
      level = new Map();
      this.cells.set(first, level);
    }
    const cell = level.get(second) ?? this.create(level, first, second);
    const bounds = this.options.buckets;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (cell.counts[i] as number) += 1;
    cell.sum += value;
    cell.count += 1;
  }

  /** What prom-client's Registry reads (the shape of `Histogram.get()`). */
  get(): Promise<{ name: string; help: string; type: 'histogram'; values: ValuePair[]; aggregator: 'sum' }> {
    const values: ValuePair[] = [];
    const bucket = `${this.name}_bucket`;
    for (const level of this.cells.values()) {
      for (const cell of level.values()) {
        let acc = 0;
        this.options.buckets.forEach((le, i) => {
          acc += cell.counts[i] as number;
          values.push({ labels: { le, ...cell.labels }, value: acc, metricName: bucket });
        });
        values.push({ labels: { le: '+Inf', ...cell.labels }, value: cell.count, metricName: bucket });
        values.push({ labels: { ...cell.labels }, value: cell.sum, metricName: `${this.name}_sum` });
        values.push({ labels: { ...cell.labels }, value: cell.count, metricName: `${this.name}_count` });
      }
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  reset(): void {
    this.cells.clear();
  }

  private create(level: Map<string, Cell>, first: string, second: string): Cell {
    const [a, b] = this.options.labelNames;
    const cell: Cell = { labels: { [a]: first, [b]: second }, counts: new Float64Array(this.options.buckets.length + 1), sum: 0, count: 0 };
    level.set(second, cell);
    return cell;
  }
}
