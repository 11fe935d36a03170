/** Reads a YAML or JSON config file into a plain object; problems name the file. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type * as Yaml from 'yaml';
import { withValue, type ConfigIssue } from './errors.js';
import { isPlainObject, type PlainObject } from './objects.js';

export type FileResult = { ok: true; value: PlainObject } | { ok: false; issue: ConfigIssue };

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * `yaml` is loaded on the first YAML file, not at import: most processes (a replica configured by
 * env) never read one, and loading it costs ~80 ms and ~3 MB at every start.
 */
const requireYaml = (): typeof Yaml => createRequire(import.meta.url)('yaml') as typeof Yaml;

function parseText(text: string, file: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      return { ok: false, message: `invalid JSON: ${(error as Error).message}` };
    }
  }
  const doc = requireYaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) return { ok: false, message: `invalid YAML: ${firstLine(error.message)}` };
  return { ok: true, value: doc.toJS() as unknown };
}

/** `.json` files are parsed as JSON, everything else as YAML. An empty file is `{}`. */
export function readConfigFile(file: string): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, issue: { path: file, message: `cannot read config file (${(error as Error).message})` } };
  }
  const parsed = parseText(text, file);
  if (!parsed.ok) return { ok: false, issue: { path: file, message: parsed.message } };
  if (parsed.value === null || parsed.value === undefined) return { ok: true, value: {} };
  if (!isPlainObject(parsed.value)) {
    return { ok: false, issue: { path: file, message: withValue('must hold a mapping (object) at the top level', parsed.value) } };
  }
  return { ok: true, value: parsed.value };
}
