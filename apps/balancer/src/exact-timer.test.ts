import { describe, expect, it } from 'vitest';
import { exactTimeout } from './exact-timer.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* keep this loop turn running, so the event loop's cached clock goes stale */
  }
}

describe('exactTimeout', () => {
  it('does not fire early when armed late in a long event-loop turn (a native setTimeout would)', async () => {
    await new Promise((resolve) => setImmediate(resolve)); // start a fresh turn
    busy(60);
    const armed = performance.now();
    const firedAfter = await new Promise<number>((resolve) => exactTimeout(40, () => resolve(performance.now() - armed)));
    expect(firedAfter).toBeGreaterThanOrEqual(40);
  });

  it('can be cleared', async () => {
    let fired = false;
    const t = exactTimeout(1, () => (fired = true));
    t.clear();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });
});
