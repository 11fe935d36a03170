/** What was measured, on what: both stacks' versions and the machine (for the README table). */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { nginxBinary, nginxVersion, wrkBinary, wrkVersion } from '@fleet/bench-kit';
import { MODEL_INFO } from '@fleet/model';
import { PYTHON } from './deps.js';

function git(args: string[], cwd?: string): string {
  const out = spawnSync('git', args, { encoding: 'utf8', ...(cwd === undefined ? {} : { cwd }) });
  return out.status === 0 ? out.stdout.trim() : 'unknown';
}

/** This checkout's commit (or the one at `dir`), Node and the model. */
export function fleetVersion(dir?: string): string {
  const dirty = git(['status', '--porcelain'], dir) === '' ? '' : ' (uncommitted changes)';
  return `fleet ${git(['rev-parse', '--short', 'HEAD'], dir)}${dirty}, Node ${process.versions.node}, model ${MODEL_INFO.version}`;
}

export function seedVersion(): string {
  const modules = ['fastapi', 'uvicorn', 'uvloop', 'httptools', 'numpy', 'onnx'];
  const script = `import platform, importlib\nprint("Python " + platform.python_version() + ", " + ", ".join(m + " " + importlib.import_module(m).__version__ for m in ${JSON.stringify(modules)}))`;
  const python = execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }).trim();
  const nginx = nginxBinary();
  return `${python}, ${nginx ? nginxVersion(nginx) : 'no nginx'}`;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`;
}

export function loadGenerator(cpusList: string): string {
  const wrk = wrkBinary();
  return `${wrk ? wrkVersion(wrk) : 'wrk'} (1 thread, keep-alive, Lua request rotation${cpusList ? `, pinned with taskset -c ${cpusList}` : ''})`;
}
