/**
 * Output lines: every line is prefixed with who said it (`server-2 | …`), like compose.
 * pino JSON lines from the children are shortened to `level msg key=value…`. Pure.
 */
const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIPPED_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);
const MAX_VALUE_CHARS = 120;

export function prefix(name: string, width: number): string {
  return `${name.padEnd(width)} |`;
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
