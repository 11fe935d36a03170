import { PassThrough, type Readable } from 'node:stream';

/** A request-like body source: a PassThrough carrying the headers the limits read. */
export function bodySource(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  return Object.assign(new PassThrough(), { headers });
}

/** Everything a stream yields as text, and the error it ended with, if any. */
export async function collect(stream: Readable): Promise<{ data: string; error?: unknown }> {
  let data = '';
  try {
    for await (const chunk of stream) data += String(chunk);
    return { data };
  } catch (error) {
    return { data, error };
  }
}
