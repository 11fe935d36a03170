/**
 * Builds the admin dashboard into dist/dashboard/: one ES module bundle (Preact + htm +
 * uPlot + the page, minified), one stylesheet, index.html. Runs in `build` after tsc, so
 * the served files always match the sources; nothing is fetched at run time.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = `${root}dist/dashboard/`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: `${root}dashboard/src/main.ts` },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(`${root}dashboard/index.html`, `${out}index.html`);
const files = readdirSync(out).sort();
for (const want of ['app.css', 'app.js', 'index.html']) {
  if (!files.includes(want)) throw new Error(`dashboard build: ${want} is missing from ${out} (got ${files.join(', ')})`);
}
