/** Field schemas shared by both apps (ports, hosts, NGINX units, strict objects with key hints). */
import { isIP } from 'node:net';
import { z } from 'zod';
import { closest } from '../errors.js';
import { DURATION_HINT, RATE_HINT, SIZE_HINT, tryParseDuration, tryParseRate, tryParseSize, type Parsed } from '../units.js';

/** `z.strictObject` whose unknown-key issues say which key was meant (or which keys exist). */
export function strict<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const guess = closest(key, allowed);
          const hint = guess ? `did you mean "${guess}"?` : `allowed: ${allowed.join(', ')}`;
          return `unknown key ${JSON.stringify(key)} (${hint})`;
        })
        .join('\n');
    },
  });
}

export const PORT_HINT = 'must be an integer 0..65535';
export const port = z.number({ error: PORT_HINT }).int({ error: PORT_HINT }).min(0, PORT_HINT).max(65535, PORT_HINT);

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

export const HOST_HINT = 'must be an IP address or a hostname';
export const host = z.string({ error: HOST_HINT }).refine((v) => isIP(v) !== 0 || isHostname(v), HOST_HINT);

export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
export const nonEmpty = z.string().min(1);
export const urlPath = z.string().startsWith('/', 'must start with "/"');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logLevel = z.enum(LOG_LEVELS);

function unit(parse: (input: unknown) => Parsed<number>, hint: string, minimum: number) {
  const error = (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : hint);
  return z.union([z.number(), z.string()], { error }).transform((input, ctx) => {
    const result = parse(input);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    }
    if (result.value < minimum) {
      ctx.addIssue({ code: 'custom', message: minimum === 1 ? 'must be > 0' : `must be >= ${minimum}` });
      return z.NEVER;
    }
    return result.value;
  });
}

/** Milliseconds from `'10s'`/`'500ms'`/`'1m'`, a bare number string (seconds) or a number (ms). */
export const duration = (opts: { positive?: boolean } = {}) => unit(tryParseDuration, DURATION_HINT, opts.positive ? 1 : 0);
/** Bytes from `'1m'`/`'10k'`/`'512'` or a number. */
export const size = (opts: { positive?: boolean } = {}) => unit(tryParseSize, SIZE_HINT, opts.positive ? 1 : 0);
/** Requests per second from `'100r/s'`/`'600r/m'` or a number. */
export const rate = () => unit(tryParseRate, RATE_HINT, 0);

/** Checks an IP address or CIDR (`10.0.0.0/8`, `::1/128`); returns a message when invalid. */
export function checkAddressOrCidr(value: string): string | undefined {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  const hint = 'must be an IP address or CIDR like "10.0.0.0/8"';
  if (family === 0 || rest.length > 0) return hint;
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || Number(prefix) > bits) return `CIDR prefix must be 0..${bits}`;
  return undefined;
}

export const addressOrCidr = z.string().superRefine((value, ctx) => {
  const message = checkAddressOrCidr(value);
  if (message) ctx.addIssue({ code: 'custom', message });
});

/** A JavaScript regular expression source that must compile. */
export const regexSource = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression (${(error as Error).message})` });
  }
});

/**
 * NGINX variables a hash key or rate-limit key may use (`$name` or `${name}`), the same set the
 * balancer compiles; everything else in the key is literal text.
 */
export const KEY_VARIABLES = [
  '$remote_addr',
  '$binary_remote_addr',
  '$request_uri',
  '$uri',
  '$args',
  '$query_string',
  '$is_args',
  '$host',
  '$scheme',
  '$request_method',
] as const;
export const KEY_VARIABLE_PREFIXES = ['$http_', '$cookie_', '$arg_'] as const;

const KEY_VARIABLE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

function isKnownVariable(name: string): boolean {
  const lower = `$${name.toLowerCase()}`;
  return (
    (KEY_VARIABLES as readonly string[]).includes(lower) ||
    KEY_VARIABLE_PREFIXES.some((prefix) => lower.startsWith(prefix) && lower.length > prefix.length)
  );
}

/** Returns a message when `value` uses an unknown variable or a stray `$`. */
export function checkNginxKey(value: string): string | undefined {
  for (const match of value.matchAll(KEY_VARIABLE)) {
    const name = match[1] ?? match[2] ?? '';
    if (!isKnownVariable(name)) {
      const known = [...KEY_VARIABLES, ...KEY_VARIABLE_PREFIXES.map((p) => `${p}<name>`)].join(', ');
      return `unknown variable "$${name}" (known: ${known})`;
    }
  }
  if (value.replaceAll(KEY_VARIABLE, '').includes('$')) return 'has a "$" that does not start a variable ($name or ${name})';
  return undefined;
}

export const nginxKey = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const message = checkNginxKey(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
