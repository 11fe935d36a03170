/**
 * Retry budget (Envoy `retry_budget`): concurrent retries may not exceed `ratio` of the
 * requests in flight, with a floor of `minRetries`, so retries cannot multiply an outage.
 */
export interface RetryBudgetOptions {
  ratio: number;
  minRetries: number;
}

export interface RetryBudget {
  requestStarted(): void;
  requestFinished(): void;
  /** Take one retry slot; false when the budget is spent. Pair with `releaseRetry`. */
  tryAcquireRetry(): boolean;
  releaseRetry(): void;
  /** New ratio/floor (config reload); the in-flight and retry counts carry over. */
  reconfigure(options: RetryBudgetOptions): void;
  readonly active: number;
  readonly retrying: number;
}

export function createRetryBudget(initial: RetryBudgetOptions): RetryBudget {
  let options = initial;
  let active = 0;
  let retrying = 0;
  return {
    requestStarted: () => {
      active += 1;
    },
    requestFinished: () => {
      active = Math.max(0, active - 1);
    },
    tryAcquireRetry: () => {
      const limit = Math.max(options.minRetries, Math.floor(active * options.ratio));
      if (retrying >= limit) return false;
      retrying += 1;
      return true;
    },
    releaseRetry: () => {
      retrying = Math.max(0, retrying - 1);
    },
    reconfigure: (next) => {
      options = next;
    },
    get active() {
      return active;
    },
    get retrying() {
      return retrying;
    },
  };
}
