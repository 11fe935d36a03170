import { describe, expect, it } from 'vitest';
import { peer } from '../test/helpers.js';
import { LB_CONFIG_ERROR_CODES, LbConfigError, validateOptions, validatePeers } from './errors.js';
import type { PeerConfig } from './types.js';

/** Every bad peer field and option gets its own message, naming the peer and the value. */
function thrown(fn: () => void): LbConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LbConfigError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('validatePeers', () => {
  it.each<[Partial<PeerConfig>, string]>([
    [{ id: '' }, 'peers[1] ().id: must be a non-empty string'],
    [{ id: 7 as unknown as string }, 'peers[1] (7).id: must be a non-empty string'],
    [{ weight: 0 }, 'peers[1] (b).weight: must be an integer >= 1, got 0'],
    [{ weight: 1.5 }, 'peers[1] (b).weight: must be an integer >= 1, got 1.5'],
    [{ maxFails: -1 }, 'peers[1] (b).maxFails: must be an integer >= 0, got -1'],
    [{ maxFails: 0.5 }, 'peers[1] (b).maxFails: must be an integer >= 0, got 0.5'],
    [{ failTimeoutMs: -1 }, 'peers[1] (b).failTimeoutMs: must be >= 0, got -1'],
    [{ failTimeoutMs: Number.POSITIVE_INFINITY }, 'peers[1] (b).failTimeoutMs: must be >= 0, got Infinity'],
    [{ maxConns: -2 }, 'peers[1] (b).maxConns: must be an integer >= 0, got -2'],
    [{ maxConns: 2.5 }, 'peers[1] (b).maxConns: must be an integer >= 0, got 2.5'],
    [{ slowStartMs: -5 }, 'peers[1] (b).slowStartMs: must be >= 0, got -5'],
    [{ slowStartMs: Number.NaN }, 'peers[1] (b).slowStartMs: must be >= 0, got NaN'],
  ])('%o → %s', (bad, message) => {
    const err = thrown(() => validatePeers([peer('a'), peer('b', bad)]));
    expect(err).toMatchObject({ name: 'LbConfigError', code: LB_CONFIG_ERROR_CODES.INVALID_PEER, message });
  });

  it('lists every problem of a peer, one per line', () => {
    const err = thrown(() => validatePeers([peer('a', { weight: 0, maxConns: -1 })]));
    expect(err.message).toBe('peers[0] (a).weight: must be an integer >= 1, got 0\npeers[0] (a).maxConns: must be an integer >= 0, got -1');
  });

  it('refuses a duplicate id; accepts the boundaries', () => {
    expect(thrown(() => validatePeers([peer('a'), peer('b'), peer('a')]))).toMatchObject({
      code: LB_CONFIG_ERROR_CODES.DUPLICATE_PEER,
      message: 'peers[2]: duplicate id "a"',
    });
    expect(() => validatePeers([peer('a', { weight: 1, maxFails: 0, failTimeoutMs: 0, maxConns: 0, slowStartMs: 0 })])).not.toThrow();
  });
});

describe('validateOptions', () => {
  const base = { name: 'g', peers: [peer('a')], random: () => 0.5, now: 0 };
  it('refuses an unknown strategy and a decay that is not > 0', () => {
    expect(thrown(() => validateOptions({ ...base, strategy: { name: 'fastest' as never } }))).toMatchObject({
      code: LB_CONFIG_ERROR_CODES.INVALID_OPTIONS,
      message: 'strategy.name: unknown strategy "fastest"',
    });
    for (const decayMs of [0, -1, Number.NaN]) {
      expect(thrown(() => validateOptions({ ...base, strategy: { name: 'least_time', decayMs } }))).toMatchObject({
        code: LB_CONFIG_ERROR_CODES.INVALID_OPTIONS,
        message: `strategy.decayMs: must be > 0, got ${decayMs}`,
      });
    }
    expect(() => validateOptions({ ...base, strategy: { name: 'least_time', decayMs: 1 } })).not.toThrow();
    expect(() => validateOptions({ ...base, strategy: { name: 'round_robin' } })).not.toThrow();
  });
  it('validates the peers too', () => {
    expect(thrown(() => validateOptions({ ...base, strategy: { name: 'round_robin' }, peers: [peer('a', { weight: 0 })] })).code).toBe(
      LB_CONFIG_ERROR_CODES.INVALID_PEER,
    );
  });
});
