import { describe, expect, it } from 'vitest';
import { poolSizing } from './pool.js';

describe('worker pool sizing', () => {
  it('uses one worker per core and splits the cores among intra-op threads', () => {
    expect(poolSizing({ workers: 0, intraOpThreads: 0 }, 2)).toEqual({ workers: 2, intraOpThreads: 1 });
    expect(poolSizing({ workers: 0, intraOpThreads: 0 }, 8)).toEqual({ workers: 8, intraOpThreads: 1 });
    expect(poolSizing({ workers: 2, intraOpThreads: 0 }, 8)).toEqual({ workers: 2, intraOpThreads: 4 });
    expect(poolSizing({ workers: 3, intraOpThreads: 0 }, 8)).toEqual({ workers: 3, intraOpThreads: 2 });
  });

  it('never goes below one thread and honours explicit settings', () => {
    expect(poolSizing({ workers: 4, intraOpThreads: 0 }, 2)).toEqual({ workers: 4, intraOpThreads: 1 });
    expect(poolSizing({ workers: 1, intraOpThreads: 3 }, 2)).toEqual({ workers: 1, intraOpThreads: 3 });
    expect(poolSizing({ workers: 0, intraOpThreads: 0 }, 1)).toEqual({ workers: 1, intraOpThreads: 1 });
  });
});
