/**
 * A listener that cannot bind says which address, which port and which setting moves it:
 * two balancers on one host collide on the admin port (8081) unless ADMIN_PORT differs.
 */
import type { BalancerConfig } from '@fleet/config';

export const LISTEN_ERROR_CODES = {
  PORT_IN_USE: 'PORT_IN_USE',
  ADMIN_PORT_IN_USE: 'ADMIN_PORT_IN_USE',
  HTTPS_PORT_IN_USE: 'HTTPS_PORT_IN_USE',
} as const;
export type ListenErrorCode = keyof typeof LISTEN_ERROR_CODES;

export class ListenError extends Error {
  constructor(
    readonly code: ListenErrorCode,
    message: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

type Listener = 'listen' | 'admin';

const SETTINGS: Record<ListenErrorCode, { env: string; key: string; what: string }> = {
  PORT_IN_USE: { env: 'PORT', key: 'listen.port', what: 'client listener' },
  HTTPS_PORT_IN_USE: { env: 'the https.port key', key: 'https.port', what: 'HTTPS listener' },
  ADMIN_PORT_IN_USE: { env: 'ADMIN_PORT', key: 'admin.port', what: 'admin listener (/status, /metrics, dashboard)' },
};

/** EADDRINUSE → a ListenError naming the port and the setting; any other error unchanged. */
export function explainListenError(err: unknown, listener: Listener, config: BalancerConfig): unknown {
  const e = err as { code?: string; port?: number; address?: string };
  if (e.code !== 'EADDRINUSE') return err;
  const code: ListenErrorCode =
    listener === 'admin' ? 'ADMIN_PORT_IN_USE' : config.https !== undefined && e.port === config.https.port ? 'HTTPS_PORT_IN_USE' : 'PORT_IN_USE';
  const host = e.address ?? (listener === 'admin' ? config.admin.host : config.listen.host);
  const port = e.port ?? (listener === 'admin' ? config.admin.port : config.listen.port);
  const s = SETTINGS[code];
  const set = s.env.startsWith('the ') ? `change ${s.env} in CONFIG_FILE` : `set ${s.env} (or ${s.key} in CONFIG_FILE) to a free port, or ${s.env}=0 for any free one`;
  const hint = code === 'ADMIN_PORT_IN_USE' ? ' Two balancers on one host need different admin ports.' : '';
  return new ListenError(code, `${s.what}: ${host}:${port} is already in use (another balancer or process listens there): ${set}.${hint}`, host, port);
}
