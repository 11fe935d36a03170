import { maxHeaderSize } from 'node:http';
import { connect, type Socket } from 'node:net';
import { UpstreamConnection, type ConnectionOwner } from './connection.js';
import { UPSTREAM_FAILURES, upstreamFailure } from './failures.js';

/**
 * One peer's keep-alive pool for the engine, with the limits and meaning of the undici Pool it
 * replaces (`upstreams/pool.ts`): at most `connections` sockets open to the peer, busy or idle
 * (0 = no bound); a request that finds none free waits in FIFO order for one; an idle socket is
 * closed after `idleTimeoutMs` (kept below the replica's own keep-alive timeout, so the
 * balancer, not the replica, closes it; shorter when the peer says `Keep-Alive: timeout=N`,
 * as undici does); a connect that takes longer than `connectTimeoutMs`
 * fails with UND_ERR_CONNECT_TIMEOUT. The most recently used idle socket is reused first (its
 * peer is least likely to have closed it). One request at a time per socket.
 */
export interface PeerPoolOptions {
  host: string;
  port: number;
  connections: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  bodyIdleMs: number;
  /** Opens the socket (tests inject one that never connects); default `net.connect`. */
  connect?: (host: string, port: number) => Socket;
}

export type Acquired = (err: Error | undefined, conn: UpstreamConnection | undefined) => void;

export interface PoolStats {
  idle: number;
  busy: number;
  waiting: number;
  /** Sockets not read while a slow client drains (backpressure). */
  paused: number;
}

export class PeerPool implements ConnectionOwner {
  readonly address: string;
  private readonly idle: UpstreamConnection[] = [];
  private readonly idleTimers = new Map<UpstreamConnection, { timer: NodeJS.Timeout; ms: number }>();
  private readonly waiters: Acquired[] = [];
  private readonly open = new Set<UpstreamConnection>();
  private busy = 0;
  private closing = false;
  private onDrained: (() => void) | undefined;

  constructor(private readonly options: PeerPoolOptions) {
    this.address = `${options.host}:${options.port}`;
  }

  stats(): PoolStats {
    let paused = 0;
    for (const conn of this.open) if (conn.socket.isPaused()) paused += 1;
    return { idle: this.idle.length, busy: this.busy, waiting: this.waiters.length, paused };
  }

  /** Calls `cb` with a connection now or when one is free; returns a cancel for the wait. */
  acquire(cb: Acquired): () => void {
    if (this.closing) {
      cb(upstreamFailure(UPSTREAM_FAILURES.POOL_CLOSED, 'the peer pool is closed'), undefined);
      return noop;
    }
    let conn = this.idle.pop();
    while (conn?.destroyed === true) conn = this.idle.pop();
    if (conn !== undefined) {
      this.busy += 1;
      conn.leased = true; // its idle timer stays armed and ignores a leased socket
      cb(undefined, conn);
      return noop;
    }
    if (this.options.connections === 0 || this.busy < this.options.connections) {
      this.busy += 1;
      cb(undefined, this.connect());
      return noop;
    }
    this.waiters.push(cb);
    return () => {
      const i = this.waiters.indexOf(cb);
      if (i >= 0) this.waiters.splice(i, 1);
      this.checkDrained();
    };
  }

  release(conn: UpstreamConnection, reusable: boolean): void {
    const next = this.waiters.shift();
    if (reusable && !conn.destroyed && next !== undefined) {
      conn.leased = true;
      return next(undefined, conn);
    }
    this.busy -= 1;
    if (!reusable || conn.destroyed || this.closing) conn.destroy();
    else this.park(conn);
    if (next !== undefined) {
      this.busy += 1;
      next(undefined, this.connect());
    }
    this.checkDrained();
  }

  closed(conn: UpstreamConnection): void {
    clearTimeout(this.idleTimers.get(conn)?.timer);
    this.idleTimers.delete(conn);
    this.open.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Close idle sockets now; busy ones finish their exchange and close. Resolves when none is left busy. */
  close(): Promise<void> {
    this.closing = true;
    for (const conn of this.idle.splice(0)) conn.destroy();
    return new Promise((resolve) => {
      this.onDrained = resolve;
      this.checkDrained();
    });
  }

  /** Idle until reused or its idle timeout (one timer per socket, re-armed, not re-created). */
  private park(conn: UpstreamConnection): void {
    const ms = Math.min(this.options.idleTimeoutMs, conn.keepAliveHintMs ?? Number.POSITIVE_INFINITY);
    if (ms <= 0) return conn.destroy();
    this.idle.push(conn);
    const idle = this.idleTimers.get(conn);
    if (idle?.ms === ms) return void idle.timer.refresh();
    clearTimeout(idle?.timer);
    const timer = setTimeout(() => {
      if (!conn.busy && this.idle.includes(conn)) conn.destroy();
    }, ms);
    timer.unref();
    this.idleTimers.set(conn, { timer, ms });
  }

  private connect(): UpstreamConnection {
    const { host, port, connectTimeoutMs, bodyIdleMs } = this.options;
    const socket: Socket = this.options.connect?.(host, port) ?? connect({ host, port, noDelay: true });
    const conn = new UpstreamConnection(socket, this, { bodyIdleMs, maxHeaderSize });
    conn.leased = true;
    this.open.add(conn);
    if (connectTimeoutMs > 0) {
      const timer = setTimeout(() => {
        conn.destroy(upstreamFailure(UPSTREAM_FAILURES.CONNECT_TIMEOUT, `connect to ${this.address} timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      timer.unref();
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    }
    return conn;
  }

  private checkDrained(): void {
    if (this.closing && this.busy === 0 && this.waiters.length === 0) this.onDrained?.();
  }
}

function noop(): void {}
