// The live connection: EventSource on /dashboard/events (the browser reconnects by itself;
// the server's `retry:` says after 2 s). One `history` event, then a `frame` per second.
import type { Frame, History } from '../../src/admin/frame.js';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers {
  onHistory(history: History): void;
  onFrame(frame: Frame): void;
  onConnection(state: Connection): void;
}

export function connect(url: string, handlers: StreamHandlers): () => void {
  const source = new EventSource(url);
  handlers.onConnection('connecting');
  source.addEventListener('open', () => handlers.onConnection('live'));
  source.addEventListener('error', () => handlers.onConnection(source.readyState === EventSource.CLOSED ? 'reconnecting' : 'connecting'));
  source.addEventListener('history', (e) => handlers.onHistory(JSON.parse((e as MessageEvent<string>).data) as History));
  source.addEventListener('frame', (e) => handlers.onFrame(JSON.parse((e as MessageEvent<string>).data) as Frame));
  return () => source.close();
}
