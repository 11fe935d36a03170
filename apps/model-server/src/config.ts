import { defaultModelServerConfig, type ModelServerConfig } from '@fleet/config/model-server';

/** The settings buildApp needs: @fleet/config's model-server config (main.ts passes it straight through). */
export type AppConfig = ModelServerConfig;

/**
 * The contract's defaults, taken from @fleet/config (one source), with a fixed serverId instead
 * of the host name: for tests and embedders that build an app without loading a config.
 */
export const DEFAULT_APP_CONFIG: AppConfig = Object.freeze({ ...defaultModelServerConfig(), serverId: 'model-server' });
