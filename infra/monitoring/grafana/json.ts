import { fleetDashboard } from './dashboard.js';

/** The provisioned file's exact text (a test compares it with the committed one). */
export function dashboardJson(): string {
  return `${JSON.stringify(fleetDashboard, null, 2)}\n`;
}
