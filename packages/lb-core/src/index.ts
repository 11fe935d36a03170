export * from './types.js';
export { createGroup } from './group.js';
export { createSeededRandom } from './seeded-random.js';
export { LB_CONFIG_ERROR_CODES, LbConfigError, type LbConfigErrorCode } from './errors.js';
export { crc32 } from './crc32.js';
export { LatencyWindow, perTryTimeoutMs, type PerTryPolicy } from './latency-window.js';
