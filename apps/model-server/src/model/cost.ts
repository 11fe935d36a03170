/**
 * What a batch will cost, from what the batches before it cost: run time ≈ fixed + perCell ×
 * padded cells, fitted by least squares over the recent runs (each run's weight halves every
 * `halfLife` runs, so the fit follows the machine's load and the JIT warming up). Pure: the
 * caller measures and reports (`observe`), the executor policy asks (`estimateUs`).
 *
 * While the recent runs all had about the same size the slope is unknown; then the estimate is
 * proportional (mean time per cell × cells), which overestimates batches larger than those seen
 * (the fixed part is counted once per cell): on the safe side, since an overestimate sends a
 * batch to a worker and an underestimate would block the event loop.
 */
export interface CostModel {
  /** Estimated run time in µs of a batch of `cells` padded cells; NaN before any observation. */
  estimateUs(cells: number): number;
  /** Most cells a batch may have for its estimate to stay within `us` (at least 1). */
  cellsWithin(us: number): number;
  observe(cells: number, us: number): void;
  /** Observations so far. */
  readonly samples: number;
}

export interface CostModelOptions {
  /** Runs after which an observation weighs half (default 64). */
  halfLife?: number;
}

/** Below this relative spread of the observed sizes the slope is taken as unknown. */
const MIN_RELATIVE_SPREAD = 0.05;

export function createCostModel(options: CostModelOptions = {}): CostModel {
  const decay = 0.5 ** (1 / (options.halfLife ?? 64));
  let w = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let samples = 0;

  /** [fixed µs, µs per cell] of the current fit. */
  const fit = (): [number, number] => {
    const meanX = sx / w;
    const meanY = sy / w;
    const varX = sxx / w - meanX * meanX;
    if (varX > (MIN_RELATIVE_SPREAD * meanX) ** 2) {
      const slope = (sxy / w - meanX * meanY) / varX;
      // a negative intercept is dropped: the line through 0 with the same slope lies above it
      if (slope > 0) return [Math.max(0, meanY - slope * meanX), slope];
    }
    return [0, meanY / Math.max(meanX, 1)];
  };

  return {
    estimateUs(cells) {
      if (w === 0) return Number.NaN;
      const [fixed, perCell] = fit();
      return fixed + perCell * cells;
    },
    cellsWithin(us) {
      if (w === 0) return 1;
      const [fixed, perCell] = fit();
      return Math.max(1, Math.floor((us - fixed) / perCell));
    },
    observe(cells, us) {
      if (!(cells > 0) || !(us >= 0)) return;
      w = w * decay + 1;
      sx = sx * decay + cells;
      sy = sy * decay + us;
      sxx = sxx * decay + cells * cells;
      sxy = sxy * decay + cells * us;
      samples += 1;
    },
    get samples() {
      return samples;
    },
  };
}
