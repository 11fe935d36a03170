import { STATUS_CODES } from 'node:http';

/**
 * The client response head, serialised once (no `ServerResponse`): status line, the headers as
 * given (lower-case names, the way `headers.ts` builds them), `date` (cached per second, as
 * node:http does), `connection`, and the body framing:
 * - no body for HEAD, 1xx, 204 and 304 (a Content-Length given for HEAD is kept);
 * - a Content-Length given is kept (the body is written as is);
 * - otherwise chunked on HTTP/1.1, close-delimited on HTTP/1.0 (the connection closes after it).
 * A value with a CR, LF, NUL or another control byte is refused (throws, like node:http's
 * `ERR_INVALID_CHAR`): the caller never writes half a head.
 */
export type ResponseFraming = 'none' | 'length' | 'chunked' | 'close';

export type HeadHeaders = Record<string, string | number | readonly string[]>;

/** What the request decides about its response head (fixed per request, shared by reference). */
export interface HeadContext {
  method: string;
  /** HTTP/1.1 client (chunked allowed). */
  http11: boolean;
  /** The connection may stay open after this response. */
  keepAlive: boolean;
  /** `Keep-Alive: timeout=N` (seconds; 0 = not sent). */
  keepAliveSeconds: number;
}

export interface ResponseHead {
  text: string;
  framing: ResponseFraming;
  /** The connection closes once this response is written. */
  close: boolean;
}

const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

let dateSecond = -1;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

export class InvalidHeaderError extends Error {
  readonly code = 'ERR_INVALID_CHAR';
}

function line(name: string, value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (INVALID_VALUE.test(text)) throw new InvalidHeaderError(`invalid character in the value of response header ${name}`);
  return `${name}: ${text}\r\n`;
}

function bodiless(status: number, method: string): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** The head of `status` with `headers` (read, never copied or changed) for the request `o`. */
export function serialiseResponseHead(status: number, headers: HeadHeaders, o: HeadContext): ResponseHead {
  let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  let hasLength = false;
  let hasDate = false;
  let close = !o.keepAlive;
  for (const name in headers) {
    const value = headers[name] as string | number | readonly string[];
    if (name === 'content-length') hasLength = true;
    else if (name === 'date') hasDate = true;
    else if (name === 'transfer-encoding') continue; // the framing is ours
    else if (name === 'connection') {
      if (String(value).toLowerCase() === 'close') close = true;
      continue;
    }
    if (typeof value === 'object') for (const v of value) text += line(name, v);
    else text += line(name, value);
  }
  if (!hasDate) text += `date: ${httpDate()}\r\n`;
  let framing: ResponseFraming;
  if (bodiless(status, o.method)) framing = 'none';
  else if (hasLength) framing = 'length';
  else if (o.http11) {
    framing = 'chunked';
    text += 'transfer-encoding: chunked\r\n';
  } else {
    framing = 'close';
    close = true;
  }
  if (close) text += 'connection: close\r\n\r\n';
  else text += o.keepAliveSeconds > 0 ? `connection: keep-alive\r\nkeep-alive: timeout=${o.keepAliveSeconds}\r\n\r\n` : 'connection: keep-alive\r\n\r\n';
  return { text, framing, close };
}
