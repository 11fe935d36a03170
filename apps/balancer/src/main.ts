#!/usr/bin/env node
import { loadBalancerConfig, type BalancerConfig } from '@fleet/config';
import { pino } from 'pino';
import { startBalancer } from './app.js';
import { reloadConfig } from './reload.js';

/**
 * Process entry: config (defaults < file < env, read once here), listen, then SIGHUP →
 * reload, SIGTERM/SIGINT → drain and exit 0. Logs one `listening` line with the real ports
 * (PORT=0 / ADMIN_PORT=0 pick free ones).
 */
function loadOrExit(): BalancerConfig {
  try {
    return loadBalancerConfig();
  } catch (err) {
    const e = err as { code?: string; message?: string; issues?: unknown };
    process.stderr.write(`${JSON.stringify({ level: 60, code: e.code ?? 'CONFIG_INVALID', msg: 'invalid config', issues: e.issues, detail: e.message })}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = loadOrExit();
  const logger = pino({ level: config.logLevel, base: { app: 'balancer', pid: process.pid } });
  const balancer = await startBalancer(config, { logger }).catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    logger.fatal({ err, code }, `balancer failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  logger.info({ port: balancer.port, adminPort: balancer.adminPort, httpsPort: balancer.httpsPort }, 'listening');

  let reloading = Promise.resolve(true);
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading config');
    reloading = reloading.then(() => reloadConfig(balancer, () => loadBalancerConfig(), logger));
  });
  const shutdown = (signal: string): void => {
    logger.info({ signal, timeoutMs: balancer.config.shutdown.timeoutMs }, 'shutting down: draining in-flight requests');
    balancer.close().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
