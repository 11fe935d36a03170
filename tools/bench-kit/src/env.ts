/** Reading the settings of a bench or chaos run from the environment (once, in its config). */

/** A non-negative integer from `env[key]`; `fallback` when unset or blank; an error naming the variable otherwise. */
export function envInt(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${key} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}
