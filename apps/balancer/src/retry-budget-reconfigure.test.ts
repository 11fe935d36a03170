import { describe, expect, it } from 'vitest';
import { createRetryBudget } from './retry-budget.js';

describe('retry budget: limits at the edge and on reload', () => {
  it('grants exactly floor(active × ratio) when that is above the floor', () => {
    const b = createRetryBudget({ ratio: 0.5, minRetries: 1 });
    for (let i = 0; i < 7; i++) b.requestStarted();
    let granted = 0;
    while (b.tryAcquireRetry()) granted += 1;
    expect(granted).toBe(3); // floor(3.5)
    expect(b.retrying).toBe(3);
    b.releaseRetry();
    expect(b.retrying).toBe(2);
    expect(b.tryAcquireRetry()).toBe(true);
    expect(b.tryAcquireRetry()).toBe(false);
  });

  it('reconfigure applies the new ratio and floor; the counts carry over', () => {
    const b = createRetryBudget({ ratio: 0, minRetries: 1 });
    for (let i = 0; i < 10; i++) b.requestStarted();
    expect(b.tryAcquireRetry()).toBe(true);
    expect(b.tryAcquireRetry()).toBe(false);
    b.reconfigure({ ratio: 0.3, minRetries: 0 });
    expect([b.active, b.retrying]).toEqual([10, 1]);
    expect([b.tryAcquireRetry(), b.tryAcquireRetry(), b.tryAcquireRetry()]).toEqual([true, true, false]);
    b.reconfigure({ ratio: 0, minRetries: 0 });
    b.releaseRetry();
    expect(b.tryAcquireRetry()).toBe(false);
    b.requestFinished();
    expect(b.active).toBe(9);
  });
});
