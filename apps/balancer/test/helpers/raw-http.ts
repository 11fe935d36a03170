import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { BALANCER_SRC_MAIN, spawnJson, type JsonChild } from './processes.js';

/**
 * Raw-socket helpers for the hardening tests: exact request bytes in, the parsed answer out,
 * and the balancer as a real process (fd counts, RSS, ulimits).
 */
export interface RawAnswer {
  /** Status of the first response (0 when none came). */
  status: number;
  head: string;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent. */
  raw: string;
  /** The server closed (or reset) the connection before the deadline. */
  closed: boolean;
}

/** Status and lower-cased headers of a response head (`head`: the status line and header lines, no blank line). */
function readHead(head: string): { status: number; headers: Record<string, string> } {
  const lines = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1];
  return { status: status === undefined ? 0 : Number(status), headers };
}

/** Parse the first HTTP/1.1 response out of `raw` (body: whatever follows the head). */
export function parseAnswer(raw: string, closed: boolean): RawAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const { status, headers } = readHead(head);
  let body = split < 0 ? '' : raw.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body).body;
  else if (headers['content-length'] !== undefined) body = body.slice(0, Number(headers['content-length']));
  return { status, head, headers, body, raw, closed };
}

/**
 * Decode a chunked body starting at `from`; `complete` when the last chunk was seen, `end` the
 * index just past the last chunk and its blank line (no trailers).
 */
function dechunk(data: string, from = 0): { body: string; complete: boolean; end: number } {
  let body = '';
  let at = from;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return { body, complete: false, end: at };
    const size = parseInt(data.slice(at, eol), 16);
    if (!Number.isFinite(size)) return { body, complete: false, end: at };
    if (size === 0) return { body, complete: true, end: eol + 4 };
    body += data.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
    if (at > data.length) return { body, complete: false, end: at };
  }
}

/** One response framed out of `raw` at `at`: its body by Content-Length or chunked. */
interface Framed {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Content-Length, chunked, or neither (no body framed: empty, or delimited by the close). */
  framing: 'length' | 'chunked' | 'none';
  /** The framed body is all there (always true for `none`; chunked: its last chunk seen). */
  complete: boolean;
  /** Index just past the response. */
  end: number;
}

/** The response at `at`, or undefined while its head is incomplete. */
function frameResponse(raw: string, at: number): Framed | undefined {
  const split = raw.indexOf('\r\n\r\n', at);
  if (split < 0) return undefined;
  const { status, headers } = readHead(raw.slice(at, split));
  const start = split + 4;
  if (headers['transfer-encoding'] === 'chunked') {
    const { body, complete, end } = dechunk(raw, start);
    return { status, headers, body, framing: 'chunked', complete, end };
  }
  const length = headers['content-length'];
  if (length === undefined) return { status, headers, body: '', framing: 'none', complete: true, end: start };
  const end = start + Number(length);
  return { status, headers, body: raw.slice(start, end), framing: 'length', complete: raw.length >= end, end };
}

/** Whether `raw` holds one whole response (a head, then its Content-Length or chunked body). */
export function completeResponse(raw: string): boolean {
  const r = frameResponse(raw, 0);
  if (r === undefined) return false;
  if (r.status === 101 || r.status === 204 || r.status === 304) return true;
  return r.framing !== 'none' && r.complete;
}

export interface FramedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Every complete response in `raw`, in order (pipelined answers on one connection), framed by
 * Content-Length or chunked; a response with neither has an empty body.
 */
export function responses(raw: string): FramedAnswer[] {
  const out: FramedAnswer[] = [];
  for (let at = 0; ; ) {
    const r = frameResponse(raw, at);
    if (r === undefined || !r.complete || r.end > raw.length) return out;
    out.push({ status: r.status, headers: r.headers, body: r.body });
    at = r.end;
  }
}

export interface ExchangeOptions {
  timeoutMs?: number;
  until?: (raw: string) => boolean;
  /** Speak TLS (any certificate accepted), offering only `http/1.1` in ALPN. */
  tls?: boolean;
}

function connect(port: number, overTls: boolean): net.Socket {
  const where = { port, host: '127.0.0.1', allowHalfOpen: true };
  if (!overTls) return net.connect(where);
  return tls.connect({ ...where, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
}

/**
 * Send `payload` on a fresh connection (plain TCP, or TLS) and collect what comes back until
 * `until` says it is enough (default: one complete response), the server closes, or `timeoutMs`
 * passes (then `closed` is false). The socket is destroyed in every case.
 */
export function rawExchange(
  port: number,
  payload: string | Buffer | (string | Buffer)[],
  { timeoutMs = 5000, until = completeResponse, tls: overTls = false }: ExchangeOptions = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, overTls);
    let raw = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(raw, closed));
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on(overTls ? 'secureConnect' : 'connect', () => {
      for (const part of Array.isArray(payload) ? payload : [payload]) socket.write(part);
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (until?.(raw) === true) finish(true);
    });
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** Open file descriptors of a process (Linux /proc). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The lowest `n` descriptor numbers a process has free: the next ones it will be given. */
export function freeFdNumbers(pid: number, n: number): number[] {
  const open = new Set(readdirSync(`/proc/${pid}/fd`).map(Number));
  const free: number[] = [];
  for (let fd = 0; free.length < n; fd++) if (!open.has(fd)) free.push(fd);
  return free;
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

const dir = mkdtempSync(join(tmpdir(), 'fleet-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let configs = 0;

export interface BalancerProcess {
  child: JsonChild;
  pid: number;
  port: number;
  adminPort: number;
}

/** The balancer as a process (tsx on the sources), config in file shape. */
export async function spawnBalancerProcess(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<BalancerProcess> {
  const file = join(dir, `config-${++configs}.json`);
  writeFileSync(file, JSON.stringify({ accessLog: { enabled: false }, ...config }));
  const base = { CONFIG_FILE: file, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  const child = await spawnJson(['--import', 'tsx', BALANCER_SRC_MAIN], { ...base, ...env });
  return { child, pid: child.pid, port: Number(child.ready.port), adminPort: Number(child.ready.adminPort) };
}

/**
 * Set a running process's soft descriptor limit (util-linux `prlimit`), so it can run out of fds.
 * The hard limit stays, so the soft one can be raised again afterwards.
 */
export function setFdLimit(pid: number, fds: number): void {
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${fds}:`]);
}
