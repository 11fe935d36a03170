/** Public parsers for NGINX `server` lines and the `UPSTREAMS` env format. */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { serverEntrySchema, type ServerEntry } from './schema/server.js';
import { PARSE_PARAMS, toConfigIssues } from './zod-issues.js';

/** Comma-separated server lines; empty items (a trailing comma) are ignored. */
export const upstreamsListSchema = z
  .string()
  .transform((value, ctx): unknown[] => {
    const lines = value
      .split(',')
      .map((line) => line.trim())
      .filter(Boolean);
    if (lines.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one server' });
    return lines;
  })
  .pipe(z.array(serverEntrySchema));

/**
 * `'127.0.0.1:8001 weight=5 max_fails=3 fail_timeout=30s backup'` → ServerEntry (NGINX defaults
 * for what is not given). Throws ConfigError naming every problem, under `path`.
 */
export function parseUpstreamLine(line: string, path = 'server'): ServerEntry {
  const result = serverEntrySchema.safeParse(line, PARSE_PARAMS);
  if (!result.success) throw new ConfigError(toConfigIssues(result.error.issues, path));
  return result.data;
}

/** `UPSTREAMS`: server lines separated by commas → ServerEntry[]; problems under `UPSTREAMS[i]`. */
export function parseUpstreams(value: string, path = 'UPSTREAMS'): ServerEntry[] {
  const result = upstreamsListSchema.safeParse(value, PARSE_PARAMS);
  if (!result.success) throw new ConfigError(toConfigIssues(result.error.issues, path));
  return result.data;
}
