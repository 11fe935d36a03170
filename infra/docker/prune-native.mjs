// Drops onnxruntime-node's prebuilt binaries for other platforms from a `pnpm deploy`
// tree (about 240 of its 290 MB). Usage: node prune-native.mjs <deploy-dir>
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root || !existsSync(join(root, 'node_modules'))) {
  console.error('usage: node prune-native.mjs <deploy-dir with node_modules/>');
  process.exit(2);
}

const store = join(root, 'node_modules', '.pnpm');
const packages = existsSync(store) ? readdirSync(store).filter((d) => d.startsWith('onnxruntime-node@')) : [];
let removed = 0;
for (const pkg of packages) {
  const bin = join(store, pkg, 'node_modules', 'onnxruntime-node', 'bin');
  for (const napi of existsSync(bin) ? readdirSync(bin) : []) {
    for (const platform of readdirSync(join(bin, napi))) {
      for (const arch of readdirSync(join(bin, napi, platform))) {
        if (platform === process.platform && arch === process.arch) continue;
        rmSync(join(bin, napi, platform, arch), { recursive: true, force: true });
        removed += 1;
      }
    }
  }
}
console.log(`prune-native: removed ${removed} onnxruntime binary directories for other platforms`);
