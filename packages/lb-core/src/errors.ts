/**
 * Configuration errors thrown by `createGroup` / `setPeers` (selection failures are not
 * thrown: they come back as `SelectResult` with an `LB_ERROR_CODES` code).
 */
import { STRATEGY_NAMES, type GroupOptions, type PeerConfig } from './types.js';

export const LB_CONFIG_ERROR_CODES = {
  INVALID_PEER: 'LB_INVALID_PEER',
  DUPLICATE_PEER: 'LB_DUPLICATE_PEER',
  INVALID_OPTIONS: 'LB_INVALID_OPTIONS',
} as const;
export type LbConfigErrorCode = (typeof LB_CONFIG_ERROR_CODES)[keyof typeof LB_CONFIG_ERROR_CODES];

export class LbConfigError extends Error {
  override readonly name = 'LbConfigError';
  constructor(
    readonly code: LbConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
const isDuration = (n: number): boolean => Number.isFinite(n) && n >= 0;

function peerProblems(peer: PeerConfig): string[] {
  const problems: string[] = [];
  if (typeof peer.id !== 'string' || peer.id === '') problems.push('id: must be a non-empty string');
  if (!Number.isInteger(peer.weight) || peer.weight < 1) problems.push(`weight: must be an integer >= 1, got ${peer.weight}`);
  if (!isCount(peer.maxFails)) problems.push(`maxFails: must be an integer >= 0, got ${peer.maxFails}`);
  if (!isDuration(peer.failTimeoutMs)) problems.push(`failTimeoutMs: must be >= 0, got ${peer.failTimeoutMs}`);
  if (!isCount(peer.maxConns)) problems.push(`maxConns: must be an integer >= 0, got ${peer.maxConns}`);
  if (!isDuration(peer.slowStartMs)) problems.push(`slowStartMs: must be >= 0, got ${peer.slowStartMs}`);
  return problems;
}

/** Throws LbConfigError on the first bad peer or a duplicate id. */
export function validatePeers(peers: readonly PeerConfig[]): void {
  const seen = new Set<string>();
  peers.forEach((peer, i) => {
    const problems = peerProblems(peer);
    if (problems.length > 0) {
      const lines = problems.map((p) => `peers[${i}] (${String(peer.id)}).${p}`);
      throw new LbConfigError(LB_CONFIG_ERROR_CODES.INVALID_PEER, lines.join('\n'));
    }
    if (seen.has(peer.id)) {
      throw new LbConfigError(LB_CONFIG_ERROR_CODES.DUPLICATE_PEER, `peers[${i}]: duplicate id "${peer.id}"`);
    }
    seen.add(peer.id);
  });
}

export function validateOptions(options: GroupOptions): void {
  const { strategy } = options;
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy.name)) {
    throw new LbConfigError(LB_CONFIG_ERROR_CODES.INVALID_OPTIONS, `strategy.name: unknown strategy "${strategy.name}"`);
  }
  if (strategy.decayMs !== undefined && !(strategy.decayMs > 0)) {
    throw new LbConfigError(LB_CONFIG_ERROR_CODES.INVALID_OPTIONS, `strategy.decayMs: must be > 0, got ${strategy.decayMs}`);
  }
  validatePeers(options.peers);
}
