/**
 * What the bench loads (pure data): the trivial backend's `GET /`, and `POST /predict` through two
 * real model-server replicas with the model-server bench's mix; each with issue 9's bound on CPU
 * per request. The other two of issue 9's targets hold for every scenario (`report.ts`).
 */
import { predictRequests, type WrkRequest } from '@fleet/bench-kit';
import type { ScenarioName } from './config.js';

export interface Scenario {
  name: ScenarioName;
  title: string;
  requests: WrkRequest[];
  /** Issue 9's bound on CPU per request, × NGINX's (met when ≤). */
  cpuTarget: number;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  trivial: { name: 'trivial', title: 'trivial backend, GET /', requests: [{ method: 'GET', path: '/' }], cpuTarget: 2 },
  predict: { name: 'predict', title: 'two model-server replicas, POST /predict (the model-server bench mix)', requests: predictRequests(), cpuTarget: 2.2 },
};
