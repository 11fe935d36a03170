/** Paths and file loading for the infra checks: everything is read from the repository. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument } from 'yaml';

export const INFRA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = resolve(INFRA_DIR, '..');

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readRepoFile(relative: string): string {
  return readFileSync(repoPath(relative), 'utf8');
}

/** Files in a repository folder whose names end with one of `extensions`, sorted, repo-relative. */
export function listRepoFiles(folder: string, extensions: readonly string[]): string[] {
  const dir = repoPath(folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => extensions.some((ext) => name.endsWith(ext)))
    .sort()
    .map((name) => `${folder}/${name}`);
}

/** One YAML document (merge keys `<<` resolved, as Compose does); throws on syntax errors. */
export function loadYaml(relative: string): unknown {
  const doc = parseDocument(readRepoFile(relative), { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(`${relative}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS({ maxAliasCount: 100 });
}

/** Every document of a multi-document YAML file. */
export function loadYamlDocuments(relative: string): unknown[] {
  return parseAllDocuments(readRepoFile(relative)).flatMap((doc) => {
    if ('errors' in doc && doc.errors.length > 0) {
      throw new Error(`${relative}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = doc.toJS();
    return value === null ? [] : [value];
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrow an unknown value to a record or fail with the path it was read from. */
export function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}
