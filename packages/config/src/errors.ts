/**
 * The one error type of @fleet/config: every problem found while loading, each with the
 * path of the bad field (or the env var / file that holds it) and the offending value.
 */

export const CONFIG_ERROR_CODES = {
  CONFIG_INVALID: 'CONFIG_INVALID',
} as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[keyof typeof CONFIG_ERROR_CODES];

/** One problem: `path` is a config path (`upstreams.default.servers[1].weight`), an env var or a file. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code: ConfigErrorCode = CONFIG_ERROR_CODES.CONFIG_INVALID;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}

/** One line per issue: `path: message`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `['upstreams', 'default', 'servers', 1, 'weight']` → `upstreams.default.servers[1].weight`. */
export function formatPath(path: readonly PropertyKey[], base = ''): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

const MAX_VALUE_LENGTH = 80;

/** A short, unambiguous rendering of a bad value: `0`, `"abc"`, `true`, `[1,2]`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch (error) {
    // First line only: an issue is one line (V8's cycle message spans three). YAML aliases can build a cycle.
    text = `<${(error as Error).message.split('\n')[0]}>`;
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** `message, got value` — the house style for every issue that has a value to show. */
export function withValue(message: string, value: unknown): string {
  return `${message}, got ${describeValue(value)}`;
}

/** Closest candidate by edit distance (≤ 2, or ≤ a third of the word), for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
