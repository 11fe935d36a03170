/** Writes dashboards/fleet.json from dashboard.ts: `pnpm --filter @fleet/infra grafana`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dashboardJson } from './json.js';

const out = fileURLToPath(new URL('dashboards/fleet.json', import.meta.url));
writeFileSync(out, dashboardJson());
process.stdout.write(`wrote ${out}\n`);
