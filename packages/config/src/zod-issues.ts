/**
 * Turns zod issues into ConfigIssues in the house style (`must be > 0, got 0`). The error map is
 * passed per parse (never via zod's global config, which other packages share).
 */
import type { z } from 'zod';
import { formatPath, withValue, type ConfigIssue } from './errors.js';

type RawIssue = z.core.$ZodRawIssue;

const ARTICLE: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  object: 'an object (mapping)',
  array: 'a list',
};

function bound(issue: { inclusive?: boolean }, op: '>' | '<'): string {
  return issue.inclusive === false ? op : `${op}=`;
}

function sizeMessage(origin: string, count: number | bigint, atLeast: boolean): string {
  const word = atLeast ? 'at least' : 'at most';
  if (origin === 'string') return atLeast && count === 1 ? 'must not be empty' : `must be ${word} ${count} characters`;
  return atLeast && count === 1 ? 'must not be empty' : `must have ${word} ${count} items`;
}

/** Contextual error map: the message for every issue a schema did not word itself. */
export const errorMap: z.core.$ZodErrorMap = (issue: RawIssue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `must be ${bound(issue, '>')} ${issue.minimum}`
        : sizeMessage(issue.origin, issue.minimum as number, true);
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `must be ${bound(issue, '<')} ${issue.maximum}`
        : sizeMessage(issue.origin, issue.maximum as number, false);
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return issue.keys.map((key) => `unknown key ${JSON.stringify(key)}`).join('\n');
    default:
      return undefined;
  }
};

/** Parse options every config parse uses. */
export const PARSE_PARAMS = { error: errorMap, reportInput: true } as const;

/** Custom issues that carry `params.noValue` are printed without `, got ...`. */
export const NO_VALUE = { noValue: true } as const;

export function showsValue(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'unrecognized_keys') return false;
  if (issue.code === 'custom' && issue.params?.['noValue'] === true) return false;
  return 'input' in issue && issue.input !== undefined;
}

/** Flatten zod issues; `unrecognized_keys` becomes one issue per key (message lines align with keys). */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], base = ''): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path, base);
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n');
      issue.keys.forEach((key, i) => {
        out.push({ path: formatPath([key], path), message: lines[i] ?? `unknown key ${JSON.stringify(key)}` });
      });
      continue;
    }
    out.push({ path, message: showsValue(issue) ? withValue(issue.message, issue.input) : issue.message });
  }
  return out;
}
