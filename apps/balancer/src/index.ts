export { startBalancer, type Balancer, type BalancerDeps } from './app.js';
export { reloadConfig } from './reload.js';
export { BALANCER_ERRORS, BalancerError, type BalancerErrorCode } from './errors.js';
export type { Lookup, ResolvedAddress } from './upstreams/discovery.js';
