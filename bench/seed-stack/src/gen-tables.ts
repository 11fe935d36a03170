/**
 * Build step: writes dist/unicode-tables.json (this Node's Unicode data for the Python
 * replica) unless it is already there for the same Node version.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { TABLES_PATH } from './paths.js';
import { unicodeTables } from './unicode-tables.js';

function current(): boolean {
  if (!existsSync(TABLES_PATH)) return false;
  const { node } = JSON.parse(readFileSync(TABLES_PATH, 'utf8')) as { node?: string };
  return node === process.versions.node;
}

if (!current()) writeFileSync(TABLES_PATH, JSON.stringify(unicodeTables()));
