/** The loading pipeline both apps share: file + env → merge → validate → freeze. */
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { envValue, readEnv, type Env, type EnvVar } from './env.js';
import { readConfigFile } from './file.js';
import { deepFreeze, deepMerge, type PlainObject } from './objects.js';
import { PARSE_PARAMS, toConfigIssues } from './zod-issues.js';

export interface LoadOptions {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** YAML or JSON file; defaults to env `CONFIG_FILE`. */
  file?: string;
}

export interface Sources {
  env: Env;
  file: PlainObject;
  fromEnv: PlainObject;
}

export interface Hooks {
  /** App-specific step between merging and validation (may add issues). */
  adjust?: (merged: PlainObject, sources: Sources, issues: ConfigIssue[]) => PlainObject;
  /** Drops issues that only follow from another one (e.g. a missing group after a bad env var). */
  prune?: (issues: ConfigIssue[]) => ConfigIssue[];
}

/** Validates a raw config object (no env, no file) and freezes the result. */
export function validate<S extends z.ZodType>(schema: S, raw: unknown, issues: ConfigIssue[] = [], hooks: Hooks = {}): z.output<S> {
  const result = schema.safeParse(raw, PARSE_PARAMS);
  if (!result.success) issues.push(...toConfigIssues(result.error.issues));
  if (issues.length > 0 || !result.success) throw new ConfigError(hooks.prune ? hooks.prune(issues) : issues);
  return deepFreeze(result.data);
}

export function load<S extends z.ZodType>(schema: S, specs: readonly EnvVar[], opts: LoadOptions, hooks: Hooks = {}): z.output<S> {
  const env: Env = opts.env ?? process.env;
  const fileName = opts.file ?? envValue(env, 'CONFIG_FILE');
  const fromFile = fileName === undefined ? { ok: true as const, value: {} } : readConfigFile(fileName);
  const { raw: fromEnv, issues, failed } = readEnv(env, specs);
  if (!fromFile.ok) throw new ConfigError([fromFile.issue, ...issues]);
  const sources: Sources = { env, file: fromFile.value, fromEnv };
  const merged = deepMerge(fromFile.value, fromEnv) as PlainObject;
  const prune = (all: ConfigIssue[]) => {
    const kept = all.filter((issue) => !failed.includes(issue.path));
    return hooks.prune ? hooks.prune(kept) : kept;
  };
  return validate(schema, hooks.adjust ? hooks.adjust(merged, sources, issues) : merged, issues, { prune });
}
