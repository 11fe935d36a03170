/** The default process metrics, with and without the GC histogram (GC_METRICS). */
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

const PROCESS_METRICS = [
  'process_cpu_user_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_active_handles_total',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_version_info',
];

async function exposition(gc?: boolean): Promise<string> {
  const metrics = createMetrics(gc === undefined ? {} : { gc });
  try {
    return await metrics.registry.metrics();
  } finally {
    metrics.registry.clear();
  }
}

describe('createMetrics', () => {
  it('registers the default process metrics but not the GC histogram by default', async () => {
    const text = await exposition();
    for (const name of PROCESS_METRICS) expect(text).toContain(`# TYPE ${name} `);
    expect(text).not.toContain('nodejs_gc_duration_seconds');
    expect(text).toContain('model_server_requests_total');
  });

  it('adds nodejs_gc_duration_seconds with gc: true (GC_METRICS=on)', async () => {
    const text = await exposition(true);
    for (const name of PROCESS_METRICS) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });
});
