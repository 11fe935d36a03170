/**
 * Command line + environment → validated stack options. Pure: argv and env come in as arguments.
 * Precedence: defaults < env (STACK_*) < flags. A port of 0 means "pick a free port".
 */
import { parseArgs } from 'node:util';
import { STACK_ERRORS, StackError } from './errors.js';

export interface StackOptions {
  replicas: number;
  strategy: string;
  host: string;
  /** Balancer proxy port (0 = free port). */
  port: number;
  /** Balancer admin port (0 = free port). */
  adminPort: number;
  /** First replica port; replica i listens on replicaPort + i - 1 (0 = free ports). */
  replicaPort: number;
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  build: boolean;
  quiet: boolean;
}

export type ParsedCli = { help: true } | { help: false; options: StackOptions };

export const DEFAULTS = {
  replicas: 3,
  strategy: 'round_robin',
  host: '127.0.0.1',
  port: 8080,
  adminPort: 8081,
  replicaPort: 8001,
  readyTimeoutSec: 60,
  stopTimeoutSec: 10,
} as const;

const MAX_REPLICAS = 64;

const FLAGS = {
  replicas: { type: 'string', short: 'n' },
  strategy: { type: 'string', short: 's' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'admin-port': { type: 'string' },
  'replica-port': { type: 'string' },
  'ready-timeout': { type: 'string' },
  'stop-timeout': { type: 'string' },
  'no-build': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const HELP = `Usage: pnpm start [-- options]   (or: node tools/stack/dist/cli.js [options])

Starts N model-server replicas and the balancer in front of them, as local processes.
The balancer starts only once every replica answers GET /health/ready with 200.
Crashed children are restarted with exponential backoff; Ctrl-C / SIGTERM / SIGHUP stops everything.

Options (env var in brackets; flags win over env):
  -n, --replicas <n>         number of replicas, server-1..N          [STACK_REPLICAS]  (default ${DEFAULTS.replicas})
  -s, --strategy <name>      balancer strategy: round_robin, least_conn, ip_hash, hash,
                             random, random_two, least_time           [STACK_STRATEGY]  (default ${DEFAULTS.strategy})
      --host <addr>          address every process binds              [STACK_HOST]      (default ${DEFAULTS.host})
  -p, --port <port>          balancer port, 0 = any free port         [STACK_PORT]      (default ${DEFAULTS.port})
      --admin-port <port>    balancer admin port (/status, /metrics)  [STACK_ADMIN_PORT] (default port + 1)
      --replica-port <port>  first replica port; the rest count up    [STACK_REPLICA_PORT] (default ${DEFAULTS.replicaPort})
      --ready-timeout <sec>  how long a child may take to get ready   [STACK_READY_TIMEOUT] (default ${DEFAULTS.readyTimeoutSec})
      --stop-timeout <sec>   SIGTERM → SIGKILL deadline on shutdown   [STACK_STOP_TIMEOUT]  (default ${DEFAULTS.stopTimeoutSec})
      --no-build             skip the turbo build of the apps          [STACK_NO_BUILD=1]
  -q, --quiet                hide the children's own log lines         [STACK_QUIET=1]
  -h, --help                 show this help

Other env vars pass through to the children, e.g. RATE_LIMIT=10r/s, HASH_KEY='$remote_addr',
LOG_LEVEL=debug, MODEL_PATH=..., HEALTH_CHECK=on.

Examples:
  pnpm start
  pnpm start -- --replicas 5 --strategy least_conn
  RATE_LIMIT=20r/s pnpm start -- --port 9080
`;

function bad(message: string): never {
  throw new StackError(STACK_ERRORS.BAD_ARGUMENT, message);
}

function parseIntIn(raw: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) bad(`${what}: expected an integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) bad(`${what}: must be between ${min} and ${max}, got ${value}`);
  return value;
}

function pick(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  return env !== undefined && env.trim() !== '' ? env : undefined;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function readFlags(argv: readonly string[]) {
  // `pnpm start -- --port 0` hands the script a `--` (after the script's own flags); there are no
  // positionals, so a bare `--` carries no meaning here.
  const args = argv.filter((arg) => arg !== '--');
  try {
    return parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return bad(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCli {
  const flags = readFlags(argv);
  if (flags.help === true) return { help: true };
  const num = (flag: string | undefined, key: string, what: string, min: number, max: number, dflt: number) => {
    const raw = pick(flag, env[key]);
    return raw === undefined ? dflt : parseIntIn(raw, what, min, max);
  };
  const port = num(flags.port, 'STACK_PORT', '--port', 0, 65535, DEFAULTS.port);
  const defaultAdmin = pick(flags.port, env.STACK_PORT) === undefined ? DEFAULTS.adminPort : port === 0 ? 0 : port + 1;
  const strategy = pick(flags.strategy, env.STACK_STRATEGY) ?? DEFAULTS.strategy;
  if (!/^[a-z_]+$/.test(strategy)) bad(`--strategy: expected a strategy name like round_robin, got "${strategy}"`);
  const host = (pick(flags.host, env.STACK_HOST) ?? DEFAULTS.host).trim();
  if (host === '') bad('--host: must not be empty');
  const options: StackOptions = {
    replicas: num(flags.replicas, 'STACK_REPLICAS', '--replicas', 1, MAX_REPLICAS, DEFAULTS.replicas),
    strategy,
    host,
    port,
    adminPort: num(flags['admin-port'], 'STACK_ADMIN_PORT', '--admin-port', 0, 65535, defaultAdmin),
    replicaPort: num(flags['replica-port'], 'STACK_REPLICA_PORT', '--replica-port', 0, 65535, DEFAULTS.replicaPort),
    readyTimeoutMs: 1000 * num(flags['ready-timeout'], 'STACK_READY_TIMEOUT', '--ready-timeout', 1, 3600, DEFAULTS.readyTimeoutSec),
    stopTimeoutMs: 1000 * num(flags['stop-timeout'], 'STACK_STOP_TIMEOUT', '--stop-timeout', 1, 3600, DEFAULTS.stopTimeoutSec),
    build: !(flags['no-build'] === true || truthy(env.STACK_NO_BUILD)),
    quiet: flags.quiet === true || truthy(env.STACK_QUIET),
  };
  return { help: false, options };
}
