/**
 * Tokenizer for NGINX `server` lines (`host:port weight=5 max_fails=3 fail_timeout=30s backup`).
 * It maps NGINX parameter names onto ServerEntry keys and leaves value validation to the schema,
 * so a line and an object entry are checked by the same rules.
 */
import { closest } from './errors.js';

/** NGINX parameter → ServerEntry key, and how its value is read. */
const VALUED = {
  weight: { key: 'weight', kind: 'int' },
  max_fails: { key: 'maxFails', kind: 'int' },
  max_conns: { key: 'maxConns', kind: 'int' },
  fail_timeout: { key: 'failTimeoutMs', kind: 'duration' },
  slow_start: { key: 'slowStartMs', kind: 'duration' },
} as const;
const FLAGS = { backup: 'backup', down: 'down', resolve: undefined } as const;

export const SERVER_LINE_PARAMETERS = [...Object.keys(VALUED), ...Object.keys(FLAGS)] as const;

export type TokenizedLine = { ok: true; raw: Record<string, unknown> } | { ok: false; problems: string[] };

function unknownParameter(name: string): string {
  const guess = closest(name, SERVER_LINE_PARAMETERS);
  const hint = guess ? `did you mean "${guess}"?` : `known: ${SERVER_LINE_PARAMETERS.join(', ')}`;
  return `unknown parameter "${name}" (${hint})`;
}

function readParameter(token: string, raw: Record<string, unknown>): string | undefined {
  const eq = token.indexOf('=');
  const name = eq === -1 ? token : token.slice(0, eq);
  if (name in FLAGS) {
    if (eq !== -1) return `parameter "${name}" takes no value`;
    const key = FLAGS[name as keyof typeof FLAGS];
    if (key) raw[key] = true;
    return undefined;
  }
  if (!(name in VALUED)) return unknownParameter(name);
  const spec = VALUED[name as keyof typeof VALUED];
  const value = eq === -1 ? '' : token.slice(eq + 1);
  if (value === '') return `parameter "${name}" needs a value (${name}=...)`;
  if (spec.key in raw) return `parameter "${name}" is given twice`;
  raw[spec.key] = spec.kind === 'int' && /^-?\d+$/.test(value) ? Number(value) : value;
  return undefined;
}

/** Splits one line into a raw ServerEntry object, or lists what is wrong with its syntax. */
export function tokenizeServerLine(line: string): TokenizedLine {
  const tokens = line.trim().split(/\s+/).filter(Boolean);
  const [address, ...params] = tokens;
  if (address === undefined) return { ok: false, problems: ['must be a server line like "host:port weight=2"'] };
  if (address.includes('=')) {
    return { ok: false, problems: ['must start with the server address (host:port)'] };
  }
  const raw: Record<string, unknown> = { address };
  const problems: string[] = [];
  for (const token of params) {
    const message = readParameter(token, raw);
    if (message) problems.push(message);
  }
  return problems.length ? { ok: false, problems } : { ok: true, raw };
}
