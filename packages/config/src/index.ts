/**
 * @fleet/config — typed, validated configuration for the model-server and the balancer.
 * Precedence: defaults < file (YAML/JSON, `file` option or env CONFIG_FILE) < env vars.
 */
export { CONFIG_ERROR_CODES, ConfigError, formatIssues, type ConfigErrorCode, type ConfigIssue } from './errors.js';
export { parseDuration, parseRate, parseSize } from './units.js';
export { MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, acceptRequestId } from './request-id.js';
export { TRACEPARENT_HEADER, TRACESTATE_HEADER, formatTraceparent, parseTraceparent, type Traceparent } from './trace-context.js';
export { parseUpstreamLine, parseUpstreams } from './upstreams.js';
export { SERVER_LINE_PARAMETERS } from './server-line.js';
export type { LoadOptions } from './load.js';
export type { EnvKind, EnvVar } from './env.js';
export {
  MODEL_SERVER_ENV,
  defaultModelServerConfig,
  loadModelServerConfig,
  parseModelServerConfig,
} from './model-server.js';
export { BALANCER_ENV, DEFAULT_GROUP, defaultBalancerConfig, loadBalancerConfig, parseBalancerConfig } from './balancer.js';
export { LOG_LEVELS, KEY_VARIABLES, KEY_VARIABLE_PREFIXES, checkNginxKey } from './schema/fields.js';
export { modelServerConfigSchema, type ModelServerConfig } from './schema/model-server.js';
export { DEFAULT_SERVER_PORT, serverEntrySchema, serverObjectSchema, type ServerEntry } from './schema/server.js';
export {
  NEXT_UPSTREAM_CONDITIONS,
  STRATEGIES_WITHOUT_BACKUP,
  STRATEGY_NAMES,
  UPSTREAM_CLIENTS,
  strategySchema,
  upstreamGroupSchema,
  type NextUpstreamCondition,
  type UpstreamGroupConfig,
} from './schema/upstream.js';
export {
  NO_UPSTREAMS_MESSAGE,
  LISTEN_SERVERS,
  balancerConfigSchema,
  defaultRoutes,
  routeSchema,
  type BalancerConfig,
  type RouteConfig,
} from './schema/balancer.js';
