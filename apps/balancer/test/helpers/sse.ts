import { request } from 'undici';

/**
 * A Server-Sent Events client for tests: connects, parses `event:`/`data:` blocks and lets a
 * test wait (bounded) for the next event of a name.
 */
export interface SseEvent {
  event: string;
  data: unknown;
}

export interface SseClient {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  next(name: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length === 0 ? undefined : { event, data: JSON.parse(data.join('\n')) };
}

export async function openSse(port: number, path: string): Promise<SseClient> {
  const abort = new AbortController();
  const res = await request(`http://127.0.0.1:${port}${path}`, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  const events: SseEvent[] = [];
  let read = 0;
  let buffer = '';
  let wake: (() => void) | undefined;
  res.body.setEncoding('utf8');
  res.body.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const parsed = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (parsed !== undefined) events.push(parsed);
    }
    wake?.();
  });
  res.body.on('error', () => wake?.()); // aborted by close(): nothing more to read
  return {
    status: res.statusCode,
    headers: res.headers,
    events,
    async next(name, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (read < events.length) {
          const e = events[read++] as SseEvent;
          if (e.event === name) return e;
        }
        if (Date.now() > deadline) throw new Error(`no '${name}' event within ${timeoutMs} ms (got ${events.map((e) => e.event).join(', ')})`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100).unref();
        });
      }
    },
    close: () => abort.abort(),
  };
}
