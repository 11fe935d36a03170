/**
 * Bundles the replica process (dist/replica.js, tsc's output, and what it imports) into that same
 * file: one module to read and compile at start instead of ~520 files found one by one through
 * node_modules (Fastify, avvio, ajv, fast-json-stringify, zod, prom-client, …). Runs in `build`
 * after tsc, so `node dist/main.js` — every launcher: `pnpm start`, the package's `start` script,
 * the Docker image, the systemd unit, the benches and the process tests — starts the bundle.
 * Numbers: README, Start-up.
 *
 * Stays outside the bundle, loaded by Node as before: onnxruntime-node (native), pino (its
 * transports find their worker files next to pino's own), @fleet/model (it finds the ONNX file
 * next to itself), and what a replica loads only on demand (the Swagger packages, yaml).
 * dist/main.js itself is not bundled: it turns on the compile cache before anything loads.
 *
 * `import.meta.url` in a bundled module is rewritten to that module's own URL, so paths taken
 * relative to it keep working: from dist/ relative to the bundle (the worker script next to
 * pool.js, package.json), from a workspace package through `import.meta.resolve` of its name
 * (@fleet/config's `yaml`). A bundled module using `__dirname` or `__filename` fails the build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { escapeNonAscii } from './ascii.js';
import { importMetaUrlFor, type PackageRef } from './import-meta.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = `${root}dist`;
const entry = `${dist}/replica.js`;
const require = createRequire(entry);

export const EXTERNAL = ['onnxruntime-node', 'pino', '@fleet/model', '@fastify/swagger', '@fastify/swagger-ui', 'yaml'];

/** The package a file belongs to (nearest package.json) and the file its name resolves to from here. */
function packageOf(file: string): PackageRef {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    let text: string;
    try {
      text = readFileSync(`${dir}/package.json`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const { name } = JSON.parse(text) as { name: string };
    return { name, entry: require.resolve(name) };
  }
  throw new Error(`bundle: no package.json above ${file}`);
}

const fileUrls: Plugin = {
  name: 'module-file-urls',
  setup(b) {
    b.onLoad({ filter: /\.(c|m)?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (/\b__(dirname|filename)\b/.test(text)) {
        throw new Error(`bundle: ${relative(root, args.path)} uses __dirname/__filename; mark its package external`);
      }
      if (!text.includes('import.meta.url')) return undefined;
      const inDist = args.path.startsWith(dist + sep);
      const url = importMetaUrlFor(args.path, inDist ? { dist } : packageOf(args.path));
      return { contents: text.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS modules inside the bundle call require() for Node's built-ins
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
  plugins: [fileUrls],
  // dist/replica.js.map, for `node --enable-source-maps` while debugging; not on by default: it
  // costs ~180 ms of CPU and ~20 MB of RSS at every start (README, Start-up)
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  // written below, the bundle as ASCII only (scripts/ascii.ts: a one-byte source string in V8)
  write: false,
});
for (const file of result.outputFiles) {
  writeFileSync(file.path, file.path.endsWith('.js') ? escapeNonAscii(file.text) : file.text);
}
const inputs = Object.keys(result.metafile.inputs).length;
if (inputs < 100) throw new Error(`bundle: only ${inputs} modules bundled; expected Fastify, zod, ajv and the rest`);
