import { describe, expect, it } from 'vitest';
import { STACK_ERRORS } from './errors.js';
import { describeFetchError, httpProbe, waitUntilReady, type ProbeResult, type WaitReadyDeps } from './readiness.js';

/** A fake clock: sleep advances time at once; probes answer from a script. */
function fakeDeps(script: ProbeResult[]): WaitReadyDeps & { time: number; sleeps: number[]; probes: number } {
  const deps = {
    time: 1000,
    sleeps: [] as number[],
    probes: 0,
    now: () => deps.time,
    sleep: async (ms: number) => {
      deps.sleeps.push(ms);
      deps.time += ms;
    },
    probe: async () => {
      const result = script[Math.min(deps.probes, script.length - 1)];
      deps.probes += 1;
      if (result === undefined) throw new Error('empty script');
      return result;
    },
  };
  return deps;
}

const down = { ready: false, detail: 'ECONNREFUSED' };
const loading = { ready: false, detail: 'HTTP 503' };
const up = { ready: true, detail: 'HTTP 200' };

describe('waitUntilReady', () => {
  it('polls at the interval until ready and reports the time taken', async () => {
    const deps = fakeDeps([down, loading, up]);
    await expect(waitUntilReady(deps, { name: 'server-1', timeoutMs: 10_000, intervalMs: 250 })).resolves.toBe(500);
    expect(deps.sleeps).toEqual([250, 250]);
  });

  it('gives up at the bound, naming the last probe result', async () => {
    const deps = fakeDeps([down, loading]);
    await expect(waitUntilReady(deps, { name: 'server-2', timeoutMs: 1000, intervalMs: 300 })).rejects.toMatchObject({
      code: STACK_ERRORS.READY_TIMEOUT,
      message: 'server-2 was not ready after 1s (last probe: HTTP 503)',
    });
    expect(deps.sleeps).toEqual([300, 300, 300, 100]);
  });

  it('throws the abort reason when aborted (child exited, Ctrl-C)', async () => {
    const controller = new AbortController();
    const deps = fakeDeps([down]);
    const reason = new Error('server-3 exited');
    deps.sleep = async () => controller.abort(reason);
    await expect(
      waitUntilReady(deps, { name: 'server-3', timeoutMs: 10_000, intervalMs: 100, signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});

describe('httpProbe', () => {
  it('is ready on 200 only', async () => {
    for (const [status, ready] of [[200, true], [503, false], [204, false]] as const) {
      const probe = httpProbe(async () => ({ status, body: null }), 'http://x/health/ready', { timeoutMs: 100 });
      await expect(probe()).resolves.toEqual({ ready, detail: `HTTP ${status}` });
    }
  });

  it('sends the given headers and releases the body', async () => {
    let seen: Record<string, string> = {};
    let cancelled = false;
    const probe = httpProbe(
      async (_url, init) => {
        seen = init.headers;
        return { status: 200, body: { cancel: async () => void (cancelled = true) } };
      },
      'http://x/status',
      { timeoutMs: 100, headers: { authorization: 'Bearer t' } },
    );
    await probe();
    expect(seen).toEqual({ authorization: 'Bearer t' });
    expect(cancelled).toBe(true);
  });

  it('reports a refused connection by its code', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
    const probe = httpProbe(async () => Promise.reject(refused), 'http://x', { timeoutMs: 100 });
    await expect(probe()).resolves.toEqual({ ready: false, detail: 'ECONNREFUSED' });
  });

  it('describes timeouts and other errors', () => {
    expect(describeFetchError(new DOMException('t', 'TimeoutError'))).toBe('probe timed out');
    expect(describeFetchError(new Error('weird'))).toBe('weird');
    expect(describeFetchError('str')).toBe('str');
  });
});
