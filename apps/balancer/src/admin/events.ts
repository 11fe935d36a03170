/**
 * `GET /dashboard/events`: Server-Sent Events. On connect one `history` event (the chart
 * points the server kept), then one `frame` event per sample (one per second). A watcher
 * that does not read fast enough skips frames instead of buffering them; past
 * `maxWatchers` new ones get 503 TOO_MANY_WATCHERS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BalancerError } from '../errors.js';
import type { Sampler } from './sampler.js';

function event(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function streamEvents(sampler: Sampler, req: IncomingMessage, res: ServerResponse, maxWatchers: number): void {
  if (sampler.watchers >= maxWatchers) {
    throw new BalancerError('TOO_MANY_WATCHERS', `at most ${maxWatchers} dashboards may watch at once`, { 'retry-after': '5' });
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  event(res, 'history', sampler.history());
  const unsubscribe = sampler.subscribe((frame) => {
    if (!res.writableNeedDrain) event(res, 'frame', frame);
  });
  req.socket.setNoDelay(true);
  res.once('close', unsubscribe);
}
