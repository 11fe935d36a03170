/** Files of this package, resolved from src/ and dist/ alike. */
import { fileURLToPath } from 'node:url';

const root = (rel: string): string => fileURLToPath(new URL(`../${rel}`, import.meta.url));

/** The package directory: PYTHONPATH of the replica (`replica` is its Python package). */
export const PACKAGE_DIR = root('');
/** Written by the build (`src/gen-tables.ts`), read by the replica (env UNICODE_TABLES). */
export const TABLES_PATH = root('dist/unicode-tables.json');
