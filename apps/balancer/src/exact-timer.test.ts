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

/**
 * Fake timers and a monotonic clock the test moves: `tick(ms)` advances both; `lag(ms)` only the
 * clock's own lag behind the timers (a stale loop clock at arm time). Real timers restored after.
 */
function withFakeClock(run: (c: { fired: () => number; deadline: ExactDeadline; tick(ms: number): void; lag(ms: number): void }) => void): void {
  vi.useFakeTimers();
  try {
    let now = 1000;
    let count = 0;
    const deadline = new ExactDeadline(() => count++, () => now);
    run({
      fired: () => count,
      deadline,
      tick: (ms) => {
        now += ms;
        vi.advanceTimersByTime(ms);
      },
      lag: (ms) => {
        now -= ms;
      },
    });
  } finally {
    vi.useRealTimers();
    vi.restoreAllMocks();
  }
}

describe('ExactDeadline (one native timer per upstream socket, armed per request)', () => {
  it('arms one native timer for any number of arms with the same ms (refreshed, not made again)', () => {
    withFakeClock(({ fired, deadline, tick }) => {
      const made = vi.spyOn(globalThis, 'setTimeout');
      for (let i = 0; i < 5; i++) {
        deadline.arm(100);
        tick(60);
        deadline.disarm();
      }
      expect([made.mock.calls.length, fired()]).toEqual([1, 0]);
      deadline.arm(100);
      tick(100);
      expect(fired()).toBe(1);
      tick(500);
      expect(fired()).toBe(1); // once per arm
      deadline.arm(50); // another ms: a new native timer
      tick(50);
      expect([made.mock.calls.length, fired()]).toEqual([2, 2]);
    });
  });

  it('never fires early: when the native timer fires before the deadline on the clock, it waits for the rest', () => {
    withFakeClock(({ fired, deadline, tick, lag }) => {
      deadline.arm(100);
      lag(30); // the clock is 30 ms behind the native timer
      tick(100);
      expect(fired()).toBe(0);
      tick(30);
      expect(fired()).toBe(1);
      deadline.arm(100); // after a re-arm for the rest, a fresh timer with the full duration
      tick(100);
      expect(fired()).toBe(2);
    });
  });

  it('does nothing once disarmed or cleared', () => {
    withFakeClock(({ fired, deadline, tick }) => {
      deadline.arm(10);
      deadline.disarm();
      tick(20);
      deadline.arm(10);
      deadline.clear();
      tick(20);
      expect([fired(), vi.getTimerCount()]).toEqual([0, 0]);
    });
  });
});
