/**
 * Reading the settings of a bench or chaos run from the environment (once, in its config).
 * Every bad value is a `BenchKitError` with code `BENCH_BAD_ENV` whose message names the variable.
 */
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';

const bad = (message: string): BenchKitError => new BenchKitError(BENCH_KIT_ERRORS.BAD_ENV, message);
const unset = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

/** Inclusive bounds of an integer setting; `min` defaults to 0, `max` to none. */
export interface IntRange {
  min?: number;
  max?: number;
}

/** An integer from `env[key]` within `range` (default: non-negative); `fallback` when unset or blank. */
export function envInt(env: NodeJS.ProcessEnv, key: string, fallback: number, range: IntRange = {}): number {
  const raw = env[key];
  if (unset(raw)) return fallback;
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const wanted = min === 0 && max === Number.MAX_SAFE_INTEGER ? 'a non-negative integer' : max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  throw bad(`${key} must be ${wanted}, got ${JSON.stringify(raw)}`);
}

/** An on/off switch: `1` or `true` on, `0` or `false` off (any case); `fallback` when unset or blank. */
export function envFlag(env: NodeJS.ProcessEnv, key: string, fallback = false): boolean {
  const raw = env[key];
  if (unset(raw)) return fallback;
  const value = raw.trim().toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw bad(`${key} must be 1 or 0 (true or false), got ${JSON.stringify(raw)}`);
}

/** A comma-separated subset of `known`, in the order given, duplicates dropped; all of `known` when unset or blank. */
export function envList<T extends string>(env: NodeJS.ProcessEnv, key: string, known: readonly T[]): T[] {
  const raw = env[key];
  if (unset(raw)) return [...known];
  const items = raw.split(',').map((s) => s.trim());
  const unknown = items.filter((item) => !known.includes(item as T));
  if (unknown.length > 0) throw bad(`${key}: unknown ${unknown.map((u) => JSON.stringify(u)).join(', ')}; known: ${known.join(', ')}`);
  return [...new Set(items as T[])];
}
