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

/** Defaults of the contract, for tests and embedders that build an app without @fleet/config. */
export const DEFAULT_APP_CONFIG: AppConfig = Object.freeze({
  host: '127.0.0.1',
  port: 8000,
  serverId: 'model-server',
  logLevel: 'info',
  bodyLimit: 1024 * 1024,
  batching: Object.freeze({ maxBatchSize: 32, maxQueueDelayMs: 2, maxQueueSize: 1024 }),
  workers: 0,
  intraOpThreads: 0,
  drain: Object.freeze({ delayMs: 1000, timeoutMs: 30_000 }),
});
