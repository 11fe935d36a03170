import { defaultModelServerConfig } from '@fleet/config';

/**
 * The settings buildApp needs. Structurally the same as @fleet/config's ModelServerConfig, so
 * main.ts passes the loaded config straight through and tests can write one by hand.
 */
export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly serverId: string;
  /** undefined → the reference model committed in @fleet/model. */
  readonly modelPath?: string | undefined;
  readonly modelName?: string | undefined;
  readonly logLevel: string;
  readonly bodyLimit: number;
  readonly batching: {
    readonly maxBatchSize: number;
    readonly maxQueueDelayMs: number;
    readonly maxQueueSize: number;
  };
  readonly workers: number;
  readonly intraOpThreads: number;
  readonly drain: { readonly delayMs: number; readonly timeoutMs: number };
}

/**
 * The contract's defaults, taken from @fleet/config (one source), with a fixed serverId instead
 * of the host name: for tests and embedders that build an app without loading a config.
 */
export const DEFAULT_APP_CONFIG: AppConfig = Object.freeze({ ...defaultModelServerConfig(), serverId: 'model-server' });
