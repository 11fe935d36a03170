import { defaultBalancerConfig } from '@fleet/config';
import { createSeededRandom } from '@fleet/lb-core';
import { describe, expect, it } from 'vitest';
import { createUpstream, prepareGroup } from './upstream.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('upstream update (config reload)', () => {
  it('keeps the retry budget that in-flight requests started on, with the new limits', async () => {
    const group = defaultBalancerConfig('127.0.0.1:1').upstreams.default;
    if (!group) throw new Error('no default group');
    const deps = { now: () => 0, lookup: async () => [], random: createSeededRandom(1), logger: quiet, retryBudget: { ratio: 0.2, minRetries: 3 } };
    const upstream = createUpstream('default', await prepareGroup(group, deps), deps);
    try {
      const before = upstream.retryBudget;
      before.requestStarted();
      expect(before.tryAcquireRetry()).toBe(true);

      upstream.apply(await prepareGroup(group, deps), { ratio: 0, minRetries: 1 });

      expect(upstream.retryBudget).toBe(before);
      expect([upstream.retryBudget.active, upstream.retryBudget.retrying]).toEqual([1, 1]);
      expect(upstream.retryBudget.tryAcquireRetry()).toBe(false); // new floor 1, one slot held
      upstream.retryBudget.releaseRetry();
      upstream.retryBudget.requestFinished();
      expect([upstream.retryBudget.active, upstream.retryBudget.retrying]).toEqual([0, 0]);
    } finally {
      await upstream.close();
    }
  });
});
