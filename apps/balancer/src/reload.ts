import type { BalancerConfig, ConfigIssue } from '@fleet/config';
import type { Logger } from 'pino';
import type { Balancer } from './app.js';

/**
 * SIGHUP: read the config again and apply it. Any problem — an invalid file (every issue is
 * logged with its path) or a config that cannot be built (bad CIDR, hash key, regex) — keeps
 * the running config. Listeners and open connections are never touched.
 */
export const RELOAD_ERRORS = { RELOAD_REJECTED: 'RELOAD_REJECTED' } as const;

function issuesOf(err: unknown): ConfigIssue[] | undefined {
  const issues = (err as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as ConfigIssue[]) : undefined;
}

export async function reloadConfig(balancer: Balancer, load: () => BalancerConfig, logger: Logger): Promise<boolean> {
  let next: BalancerConfig;
  try {
    next = load();
  } catch (err) {
    const issues = issuesOf(err);
    for (const issue of issues ?? []) logger.error({ code: RELOAD_ERRORS.RELOAD_REJECTED, path: issue.path }, issue.message);
    logger.error({ code: RELOAD_ERRORS.RELOAD_REJECTED, err, issues }, 'reload rejected: invalid config; keeping the running config');
    return false;
  }
  try {
    await balancer.reload(next);
    return true;
  } catch (err) {
    logger.error({ code: RELOAD_ERRORS.RELOAD_REJECTED, err }, 'reload rejected: config could not be applied; keeping the running config');
    return false;
  }
}
