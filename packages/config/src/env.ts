/**
 * Environment variables → a partial raw config. Env values are strings: each variable is coerced
 * by kind, validated by the same field schema the file uses, and reported under its own name
 * (`PORT: must be an integer 0..65535, got "abc"`). Empty values count as unset.
 */
import type { z } from 'zod';
import { formatPath, withValue, type ConfigIssue } from './errors.js';
import { setPath, type PlainObject } from './objects.js';
import { PARSE_PARAMS, showsValue } from './zod-issues.js';

export type EnvKind = 'string' | 'number' | 'boolean' | 'list';

export interface EnvVar {
  name: string;
  /** Where the value goes in the raw config. */
  path: readonly string[];
  kind: EnvKind;
  schema: z.ZodType;
}

export type Env = Readonly<Record<string, string | undefined>>;

const TRUE = ['on', 'true', 'yes', '1'];
const FALSE = ['off', 'false', 'no', '0'];
export const BOOLEAN_HINT = 'must be on or off (or true/false, yes/no, 1/0)';

/** The value of `name`, trimmed; `undefined` when unset or empty. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function parseEnvBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  return undefined;
}

function coerce(kind: EnvKind, value: string): unknown {
  switch (kind) {
    case 'number':
      return /^[+-]?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    case 'boolean':
      return parseEnvBoolean(value) ?? value;
    case 'list':
      return value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    case 'string':
      return value;
  }
}

function envIssues(spec: EnvVar, value: string, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path, spec.name);
    if (spec.kind === 'boolean' && issue.path.length === 0) return { path, message: withValue(BOOLEAN_HINT, value) };
    if (!showsValue(issue)) return { path, message: issue.message };
    // Show what the user typed: the raw string for scalars, the list item for lists.
    return { path, message: withValue(issue.message, issue.path.length === 0 ? value : issue.input) };
  });
}

/** Reads every variable in `specs` that is set; returns the raw config they describe and their problems. */
export function readEnv(env: Env, specs: readonly EnvVar[]): { raw: PlainObject; issues: ConfigIssue[]; failed: string[] } {
  const raw: PlainObject = {};
  const issues: ConfigIssue[] = [];
  /** Config paths whose env value was rejected (so "is required" there only repeats the env issue). */
  const failed: string[] = [];
  for (const spec of specs) {
    const value = envValue(env, spec.name);
    if (value === undefined) continue;
    const result = spec.schema.safeParse(coerce(spec.kind, value), PARSE_PARAMS);
    if (result.success) setPath(raw, spec.path, result.data);
    else {
      issues.push(...envIssues(spec, value, result.error.issues));
      failed.push(formatPath(spec.path));
    }
  }
  return { raw, issues, failed };
}
