import { describe, expect, it } from 'vitest';
import { createRetryBudget } from './retry-budget.js';

describe('retry budget', () => {
  it('allows at least minRetries concurrent retries', () => {
    const b = createRetryBudget({ ratio: 0.2, minRetries: 3 });
    b.requestStarted();
    expect([b.tryAcquireRetry(), b.tryAcquireRetry(), b.tryAcquireRetry(), b.tryAcquireRetry()]).toEqual([true, true, true, false]);
    b.releaseRetry();
    expect(b.tryAcquireRetry()).toBe(true);
  });

  it('scales with requests in flight: 20 % of 50 = 10', () => {
    const b = createRetryBudget({ ratio: 0.2, minRetries: 3 });
    for (let i = 0; i < 50; i++) b.requestStarted();
    let granted = 0;
    while (b.tryAcquireRetry()) granted += 1;
    expect(granted).toBe(10);
    expect(b.retrying).toBe(10);
    for (let i = 0; i < 50; i++) b.requestFinished();
    expect(b.active).toBe(0);
    expect(b.tryAcquireRetry()).toBe(false); // 10 still held > floor 3
  });

  it('ratio 0 and minRetries 0 disables retries; counters never go negative', () => {
    const b = createRetryBudget({ ratio: 0, minRetries: 0 });
    b.requestStarted();
    expect(b.tryAcquireRetry()).toBe(false);
    b.releaseRetry();
    b.requestFinished();
    b.requestFinished();
    expect([b.active, b.retrying]).toEqual([0, 0]);
  });
});
