/**
 * Output lines: every line is prefixed with who said it (`server-2 | …`), like compose.
 * pino JSON lines from the children are shortened to `level msg key=value…`. Pure.
 */
const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIPPED_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);
const MAX_VALUE_CHARS = 120;

const COLORS = [36, 32, 33, 34, 35, 91, 92, 93, 94, 96]; // cyan, green, yellow, blue, magenta, bright…

/** ANSI color for a name: the stack bold, the balancer magenta, replicas cycling through the rest. */
export function colorFor(name: string): number {
  if (name === 'stack' || name === 'build') return 1;
  if (name === 'balancer') return 95;
  const n = /^server-(\d+)$/.exec(name)?.[1];
  return COLORS[(Number(n ?? 0) - 1 + COLORS.length) % COLORS.length] ?? 0;
}

export function prefix(name: string, width: number, color = false): string {
  const label = `${name.padEnd(width)} |`;
  return color ? `\x1b[${colorFor(name)}m${label}\x1b[0m` : label;
}

/** Colors only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM=dumb. */
export function useColor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** Long float tails (durationMs=39.558854) are noise on a terminal: two decimals. */
function roundFloats(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(2)) : value;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, roundFloats);
  const quoted = typeof value === 'string' && /\s/.test(text) ? JSON.stringify(text) : text;
  return quoted.length > MAX_VALUE_CHARS ? `${quoted.slice(0, MAX_VALUE_CHARS)}…` : quoted;
}

/** A pino line → `info listening port=8001 serverId=server-1`; anything else unchanged. */
export function formatLogLine(line: string): string {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return line;
  let record: unknown;
  try {
    record = JSON.parse(trimmed);
  } catch {
    // Not JSON after all (a brace-wrapped plain line): shown as it came.
    return line;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line;
  const fields = record as Record<string, unknown>;
  const level = typeof fields.level === 'number' ? (PINO_LEVELS[fields.level] ?? String(fields.level)) : String(fields.level ?? 'log');
  const parts = [level];
  if (typeof fields.msg === 'string') parts.push(fields.msg);
  for (const [key, value] of Object.entries(fields)) {
    if (SKIPPED_KEYS.has(key) || value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(' ');
}
