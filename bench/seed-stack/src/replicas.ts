/**
 * One replica of each stack on a loopback port, ready-gated on GET /health (200): the fleet
 * model-server (`node <REPLICA_NODE_FLAGS> apps/model-server/dist/main.js`, as `pnpm start` runs it) and the FastAPI replica under uvicorn
 * (uvloop + httptools, one worker, access log off), the way the seed tutorials run it.
 */
import { startHttpService, type HttpService } from '@fleet/bench-kit';
import { MODEL_INFO, defaultModelPath } from '@fleet/model';
import { replicaArgv } from '@fleet/model-server/node-flags';
import { PYTHON } from './deps.js';
import { PACKAGE_DIR, TABLES_PATH } from './paths.js';


export type Replica = HttpService;

/**
 * fleet's model-server with its defaults (workers = cores, batching on); `env` adds to them.
 * `argv`: node's arguments, by default this build's as `pnpm start` and the image run a replica.
 */
export function startFleetReplica(serverId: string, port: number, env: NodeJS.ProcessEnv = {}, argv: readonly string[] = replicaArgv()): Replica {
  return startHttpService({
    name: serverId,
    port,
    cmd: process.execPath,
    args: [...argv],
    env: { HOST: '127.0.0.1', PORT: String(port), SERVER_ID: serverId, LOG_LEVEL: 'warn', ...env },
  });
}

export function uvicornArgs(port: number): string[] {
  return ['-m', 'uvicorn', 'replica.app:app', '--host', '127.0.0.1', '--port', String(port), '--loop', 'uvloop', '--http', 'httptools', '--workers', '1', '--no-access-log', '--log-level', 'warning'];
}

/** The FastAPI replica: same ONNX file, same routes and shapes. */
export function startSeedReplica(serverId: string, port: number): Replica {
  return startHttpService({
    name: serverId,
    port,
    cmd: PYTHON,
    args: uvicornArgs(port),
    env: { PYTHONPATH: PACKAGE_DIR, SERVER_ID: serverId, MODEL_PATH: defaultModelPath, MODEL_VERSION: MODEL_INFO.version, UNICODE_TABLES: TABLES_PATH, PYTHONDONTWRITEBYTECODE: '1' },
  });
}
