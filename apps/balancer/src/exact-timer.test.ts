import { describe, expect, it, vi } from 'vitest';
import { ExactDeadline, exactTimeout } from './exact-timer.js';

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

describe('ExactDeadline (one native timer per upstream socket, armed per request)', () => {
  it('arms one native timer for any number of arms with the same ms (refreshed, not made again)', () => {
    vi.useFakeTimers();
    try {
      const made = vi.spyOn(globalThis, 'setTimeout');
      let fired = 0;
      let now = 0;
      const d = new ExactDeadline(() => fired++, () => now);
      for (let i = 0; i < 5; i++) {
        d.arm(100);
        now += 60;
        vi.advanceTimersByTime(60);
        d.disarm();
      }
      expect(made).toHaveBeenCalledTimes(1);
      expect(fired).toBe(0);
      d.arm(100);
      now += 100;
      vi.advanceTimersByTime(100);
      expect(fired).toBe(1);
      now += 500;
      vi.advanceTimersByTime(500);
      expect(fired).toBe(1); // once per arm
      d.arm(50); // another ms: a new native timer
      expect(made).toHaveBeenCalledTimes(2);
      now += 50;
      vi.advanceTimersByTime(50);
      expect(fired).toBe(2);
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });

  it('never fires early: when the native timer fires before the deadline on the clock, it waits for the rest', () => {
    vi.useFakeTimers();
    try {
      let fired = 0;
      let now = 1000;
      const d = new ExactDeadline(() => fired++, () => now);
      d.arm(100);
      now += 70; // the clock is behind the native timer (a stale loop clock when it was armed)
      vi.advanceTimersByTime(100);
      expect(fired).toBe(0);
      now += 30;
      vi.advanceTimersByTime(30);
      expect(fired).toBe(1);
      d.arm(100); // after a re-arm for the rest, a fresh timer with the full duration
      now += 100;
      vi.advanceTimersByTime(100);
      expect(fired).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does nothing once disarmed or cleared', () => {
    vi.useFakeTimers();
    try {
      let fired = 0;
      let now = 0;
      const d = new ExactDeadline(() => fired++, () => now);
      d.arm(10);
      d.disarm();
      now += 20;
      vi.advanceTimersByTime(20);
      d.arm(10);
      d.clear();
      now += 20;
      vi.advanceTimersByTime(20);
      expect(fired).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
