export { parseCli, HELP, DEFAULTS, type StackOptions, type ParsedCli } from './args.js';
export { backoffDelay, createRestartTracker, DEFAULT_BACKOFF, type BackoffPolicy, type RestartTracker } from './backoff.js';
export { STACK_ERRORS, StackError, isStackError, type StackErrorCode } from './errors.js';
export { formatLogLine } from './format.js';
export { planPorts, fillPorts, portSlots, upstreamsEnv, clientUrl, type PortPlan, type PortSlot } from './port-plan.js';
export { waitUntilReady, httpProbe, type ProbeResult, type WaitReadyDeps } from './readiness.js';
export { runStack, banner, type StackIo } from './stack.js';
