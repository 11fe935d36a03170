export { chaosConfig, FAULTS, SYSTEMS, type ChaosConfig, type FaultName, type SystemName } from './config.js';
export { faultPlan, planBoundS, type Action, type FaultRun, type Step } from './plan.js';
export { resources, targetResults, failed, STALLED_RSS_BUDGET_MB, type Resources, type RunRecord, type TargetResult } from './analysis.js';
export { chaosTable, targetsTable } from './table.js';
