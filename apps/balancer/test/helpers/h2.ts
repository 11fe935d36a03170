import { readFileSync } from 'node:fs';
import http2, { type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';

/** HTTP/2 client helpers: one session to the balancer's TLS listener, one request on it. */
export interface H2Answer {
  status: number;
  body: string;
}

/** A session to `https://localhost:port` trusting `certFile`; session errors are left to the streams. */
export function h2Connect(port: number | undefined, certFile: string): ClientHttp2Session {
  const session = http2.connect(`https://localhost:${port}`, { ca: readFileSync(certFile) });
  session.on('error', () => undefined); // surfaced through the streams (and `closed`)
  return session;
}

/**
 * One request on `session`: status and body once the stream ends; rejects with the stream's
 * error (a RST_STREAM shows as ERR_HTTP2_STREAM_ERROR, its code in `stream.rstCode`).
 */
export function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let text = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (text += c));
    stream.on('end', () => resolve({ status, body: text }));
    stream.on('error', (err: Error) => reject(Object.assign(err, { rstCode: stream.rstCode })));
    stream.end(body);
  });
}
