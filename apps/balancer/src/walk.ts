import { LB_ERROR_CODES, perTryTimeoutMs, type PickedPeer, type SelectResult } from '@fleet/lb-core';
import { NOTHING_TO_CANCEL, type AttemptControl, type AttemptRecord, type AttemptResult, type Exchange, type RunningAttempt, type WalkDeps, type WalkEnd, type WalkInput, type WalkOutcome } from './attempt.js';
import type { BalancerErrorCode } from './errors.js';
import { classifyUpstreamError, type ClassifiedError } from './upstream-errors.js';

export type { AttemptControl, AttemptRecord, AttemptResult, Exchange, RunningAttempt, WalkDeps, WalkEnd, WalkInput, WalkOutcome } from './attempt.js';

/**
 * The one walk over lb-core's candidates, shared by plain requests (`proxy.ts`) and upgrades
 * (`upgrade.ts`): an `Exchange` starts attempts and reports what happened (a response head →
 * `decide`, a failure, a cancellation); only this module decides what comes next: relay,
 * retry on the next peer, hedge, or answer with an error.
 *
 * Retry rules (NGINX `proxy_next_upstream` plus the retry budget of Envoy):
 * - a reason listed in `nextUpstream.on`, a replayable body, an idempotent method (or a route
 *   with `retryNonIdempotent`, or nothing sent), within `tries` and `nextUpstream.timeoutMs`;
 * - a dead peer (refused or reset before any response byte) is retried without spending the
 *   group's retry budget: a crashed replica must not cost client requests. Timeouts and
 *   retryable statuses spend it, so overload cannot multiply itself;
 * - the balancer's own resource errors (EMFILE…) are never the peer's fault: not reported to
 *   passive health, not retried, answered 503 LOCAL_RESOURCES_EXHAUSTED.
 *
 * Per-try timeout (routes with `perTryTimeout`, retryable requests): when an attempt has no
 * response head after the group's observed latency quantile × factor (`perTry`), a hedge
 * starts on the next peer and the first answer wins (`perTry.hedge: false` abandons the first
 * attempt instead). Hedges spend the retry budget; when it is spent the walk checks again one
 * per-try interval later, so a hung replica costs a bounded delay instead of a failure.
 */
export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Less of the `nextUpstream.timeoutMs` budget than this counts as spent: an attempt with a
 * 1 ms headers timeout cannot be answered, it only costs the peer a request. (Node's timers run
 * on a cached millisecond clock, so a cut timer can fire a fraction of a ms before the budget.)
 */
export const MIN_ATTEMPT_MS = 5;

/**
 * One attempt the walk runs: its peer and state, and the exchange's `AttemptControl` for it (one
 * object per attempt instead of a control object, a `decide` closure, a record and a promise).
 */
class Running implements AttemptControl {
  /** Undefined until `start` returned. */
  attempt: RunningAttempt | undefined = undefined;
  /** Peer chosen at the response head when the answer was dropped for a retry. */
  next: PickedPeer | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  /** Its per-try timeout fired. */
  late = false;
  /** The exchange reported its end. */
  private over = false;

  constructor(
    private readonly walk: Walk,
    readonly peer: PickedPeer,
    readonly t0: number,
    readonly headersTimeoutMs: number,
  ) {}

  decide(status: number): boolean {
    return this.walk.decide(this, status);
  }

  settled(result: AttemptResult): void {
    if (this.over) return;
    this.over = true;
    this.walk.attemptSettled(this, result);
  }
}

/** What wakes the walk: an attempt ended, a per-try timeout fired, or the client left. */
type WalkEvent = { kind: 'result'; r: Running; result: AttemptResult } | { kind: 'late'; r: Running } | { kind: 'gone' };

/**
 * The walk as a state machine driven by its events: each event is handled when it arrives (no
 * promise per event, no `async` frame); the first final status ends the walk and is reported
 * once through `report` (`walkFailed` when a step threw). An event that arrives while another is
 * being handled (a callback fired synchronously inside a step) waits its turn, as in a queue.
 */
class Walk {
  readonly attempts: AttemptRecord[] = [];
  private readonly running = new Set<Running>();
  private winner: Running | undefined;
  private gone = false;
  private budgetSlots = 0;
  private readonly started: number;
  private readonly candidates: Generator<SelectResult, void, void>;
  private handling = false;
  private ended = false;
  /** Events that arrived while one was being handled. */
  private waiting: WalkEvent[] | undefined;
  private readonly mayRetryAfterSend: boolean;
  private readonly perTry: boolean;

  constructor(
    private readonly input: WalkInput,
    private readonly exchange: Exchange,
    private readonly deps: WalkDeps,
    private readonly report: WalkEnd,
  ) {
    this.started = deps.now();
    const { tries } = input.upstream.config.nextUpstream;
    const ctx = { now: this.started, clientIp: input.clientIp, hashKey: input.hashKey };
    this.candidates = input.upstream.group.candidates(ctx, tries, deps.now);
    this.mayRetryAfterSend = IDEMPOTENT.has(input.method) || input.route.retryNonIdempotent;
    this.perTry = input.route.perTryTimeout && exchange.hedgeable && exchange.replayable && this.mayRetryAfterSend;
  }

  /** The first pick and attempt; the walk goes on from its events. */
  start(): void {
    this.input.upstream.retryBudget.requestStarted();
    // Watched from here on: nothing below throws out of the walk (a step's error goes to `walkFailed`).
    this.exchange.onClientGone(() => this.push({ kind: 'gone' }));
    this.step(undefined);
  }

  /** An attempt's end, from the exchange: its peer released, then handled as an event. */
  attemptSettled(r: Running, result: AttemptResult): void {
    this.input.upstream.group.release(r.peer.id);
    this.push({ kind: 'result', r, result });
  }

  private push(event: WalkEvent): void {
    if (event.kind === 'gone') this.gone = true;
    if (this.ended) return;
    if (this.handling) (this.waiting ??= []).push(event);
    else this.step(event);
  }

  /** Handles `event` (undefined: the first pick) and what queued meanwhile, until a final status. */
  private step(event: WalkEvent | undefined): void {
    let status: number | undefined;
    this.handling = true;
    try {
      status = event === undefined ? this.begin() : this.handle(event);
      for (let next = this.waiting?.shift(); status === undefined && next !== undefined; next = this.waiting?.shift()) status = this.handle(next);
    } catch (err) {
      return this.end(undefined, err); // ended: nothing is handled after this
    }
    this.handling = false;
    if (status !== undefined) this.end(status);
  }

  private begin(): number | undefined {
    const first = this.candidates.next();
    if (first.done === true) return this.exchange.answer('NO_LIVE_UPSTREAM');
    if (!first.value.ok) return this.exchange.answer(noPeerCode(first.value));
    this.launch(first.value.peer);
    return undefined;
  }

  /** Returns the final status, or undefined to keep walking. */
  private handle(event: WalkEvent): number | undefined {
    if (event.kind === 'gone') return 499;
    if (event.kind === 'late') {
      this.onLate(event.r);
      return undefined;
    }
    return this.onResult(event.r, event.result);
  }

  /** The walk is over: drop what still runs, give back the budget, then report once. */
  private end(status: number | undefined, err?: unknown): void {
    this.ended = true;
    this.waiting = undefined;
    let error = err;
    let failed = status === undefined;
    try {
      this.finish();
    } catch (finishErr) {
      failed = true;
      error = finishErr;
    } finally {
      this.input.upstream.retryBudget.requestFinished();
    }
    if (failed) this.report.walkFailed(error);
    else this.report.walkEnded({ status: status as number, attempts: this.attempts });
  }

  private finish(): void {
    for (const r of this.running) this.drop(r);
    for (let i = 0; i < this.budgetSlots; i++) this.input.upstream.retryBudget.releaseRetry();
    this.budgetSlots = 0;
    this.candidates.return();
  }

  private launch(peer: PickedPeer): void {
    const { group } = this.input.upstream;
    const t0 = this.deps.now();
    const r = new Running(this, peer, t0, this.headersTimeout());
    group.acquire(peer.id);
    this.running.add(r);
    try {
      r.attempt = this.exchange.start(peer, r);
    } catch (error) {
      r.attempt = NOTHING_TO_CANCEL;
      r.settled({ kind: 'failed', error });
    }
    this.armPerTry(r);
  }

  private armPerTry(r: Running, ms = this.perTryMs()): void {
    if (ms === undefined) return;
    r.timer = setTimeout(() => this.push({ kind: 'late', r }), ms);
    r.timer.unref();
  }

  private perTryMs(): number | undefined {
    if (!this.perTry) return undefined;
    return perTryTimeoutMs(this.input.upstream.latency, this.input.upstream.config.perTry, this.headersTimeout());
  }

  /** The group's headers timeout, cut to what is left of the `nextUpstream.timeoutMs` budget. */
  private headersTimeout(): number {
    const { timeouts, nextUpstream } = this.input.upstream.config;
    if (nextUpstream.timeoutMs === 0) return timeouts.headersMs;
    const left = nextUpstream.timeoutMs - (this.deps.now() - this.started);
    return Math.max(1, Math.min(timeouts.headersMs, left));
  }

  private retriesOn(reason: string): boolean {
    return (this.input.upstream.config.nextUpstream.on as readonly string[]).includes(reason);
  }

  /** One attempt's record: a response status, or an error code. */
  private record(r: Running, status: number | undefined, error?: string): number {
    const durationMs = this.deps.now() - r.t0;
    this.attempts.push(status === undefined ? { peer: r.peer.id, durationMs, error } : { peer: r.peer.id, durationMs, status });
    this.deps.metrics.attempt(this.input.upstream.name, r.peer.id, status ?? String(error), durationMs);
    return durationMs;
  }

  /** Called by the exchange at the response head (synchronously), through its `Running`. */
  decide(r: Running, status: number): boolean {
    if (this.winner !== undefined || this.gone || !this.running.has(r)) return false;
    clearTimeout(r.timer);
    const { upstream } = this.input;
    const latencyMs = this.record(r, status);
    const retryable = this.retriesOn(`http_${status}`);
    upstream.group.report(r.peer.id, { ok: !retryable, now: this.deps.now(), latencyMs });
    if (!retryable) upstream.latency.observe(latencyMs);
    if (retryable) {
      if (this.running.size > 1) return false; // a hedge may still answer better
      r.next = this.planRetry(`http_${status}`, { notSent: false, dead: false });
      if (r.next !== undefined) return false;
    }
    this.winner = r;
    for (const other of this.running) if (other !== r) this.drop(other);
    return true;
  }

  /** Cancel an attempt that lost (or is abandoned); a late one is reported as the peer's failure. */
  private drop(r: Running): void {
    clearTimeout(r.timer);
    if (!this.running.delete(r)) return;
    if (r.late) {
      const latencyMs = this.record(r, undefined, 'PER_TRY_TIMEOUT');
      this.input.upstream.group.report(r.peer.id, { ok: false, now: this.deps.now(), latencyMs });
    } else if (this.winner !== undefined) this.record(r, undefined, 'HEDGE_LOST'); // a hedge the first attempt beat
    r.attempt?.cancel();
  }

  /** Returns the final status, or undefined to keep walking. */
  private onResult(r: Running, result: AttemptResult): number | undefined {
    clearTimeout(r.timer);
    const wasRunning = this.running.delete(r);
    if (result.kind === 'relayed') return result.status;
    if (result.kind === 'cancelled' || !wasRunning) return this.idle() ? this.exchange.answer('UPSTREAM_ERROR') : undefined;
    if (result.kind === 'discarded') {
      if (r.next !== undefined) this.launch(r.next);
      return this.idle() ? this.exchange.answer('UPSTREAM_ERROR') : undefined;
    }
    return this.onFailure(r, classifyUpstreamError(result.error));
  }

  private idle(): boolean {
    return this.running.size === 0 && this.winner === undefined;
  }

  private onFailure(r: Running, error: ClassifiedError): number | undefined {
    const { upstream } = this.input;
    const latencyMs = this.record(r, undefined, error.detail);
    if (error.local) {
      this.deps.metrics.localError(error.detail);
      this.deps.logger.warn({ group: upstream.name, peer: r.peer.id, code: error.detail }, 'balancer out of a local resource; the peer is not blamed');
      return this.running.size > 0 ? undefined : this.exchange.answer(error.code);
    }
    upstream.group.report(r.peer.id, { ok: false, now: this.deps.now(), latencyMs });
    this.deps.logger.warn({ group: upstream.name, peer: r.peer.id, code: error.code, detail: error.detail }, 'upstream attempt failed');
    if (this.running.size > 0) return undefined;
    const next = this.planRetry(error.reason, { notSent: !error.sent, dead: error.dead });
    if (next === undefined) return this.exchange.answer(error.code);
    this.launch(next);
    return undefined;
  }

  private mayMoveOn(reason: string, notSent: boolean): boolean {
    if (this.gone || !this.retriesOn(reason) || !this.exchange.replayable) return false;
    if (!this.mayRetryAfterSend && !notSent) return false;
    const budgetMs = this.input.upstream.config.nextUpstream.timeoutMs;
    return !(budgetMs > 0 && this.deps.now() - this.started > budgetMs - MIN_ATTEMPT_MS);
  }

  /** The next peer when this outcome may move on; undefined when it must be answered. */
  private planRetry(reason: string, { notSent, dead }: { notSent: boolean; dead: boolean }): PickedPeer | undefined {
    if (!this.mayMoveOn(reason, notSent)) return undefined;
    const peer = this.nextCandidate(!dead);
    if (peer === 'budget' || peer === undefined) return undefined;
    this.deps.metrics.retry(this.input.upstream.name, reason);
    return peer;
  }

  /** A candidate, spending a retry-budget slot when `charged`; 'budget' when the budget refused. */
  private nextCandidate(charged: boolean): PickedPeer | 'budget' | undefined {
    const { retryBudget, name } = this.input.upstream;
    if (charged && !retryBudget.tryAcquireRetry()) {
      this.deps.metrics.retry(name, 'budget_exhausted');
      return 'budget';
    }
    const next = this.candidates.next();
    if (next.done === true || !next.value.ok) {
      if (charged) retryBudget.releaseRetry();
      return undefined;
    }
    if (charged) this.budgetSlots += 1;
    return next.value.peer;
  }

  /** A per-try timeout fired on `r`: hedge (or, with `hedge: false`, abandon it for the next peer). */
  private onLate(r: Running): void {
    if (!this.running.has(r) || this.winner !== undefined || this.gone) return;
    const { upstream } = this.input;
    if (!r.late) this.deps.metrics.perTryTimeout(upstream.name, r.peer.id);
    r.late = true;
    if (!this.mayMoveOn('timeout', false)) return;
    const peer = this.nextCandidate(true);
    if (peer === 'budget') return this.armPerTry(r); // look again one interval later
    if (peer === undefined) return; // nobody else: keep waiting for this one
    if (upstream.config.perTry.hedge) this.deps.metrics.hedge(upstream.name);
    else {
      this.deps.metrics.retry(upstream.name, 'per_try_timeout');
      this.drop(r);
    }
    this.launch(peer);
  }
}

function noPeerCode(pick: Extract<SelectResult, { ok: false }>): BalancerErrorCode {
  return pick.code === LB_ERROR_CODES.ALL_AT_MAX_CONNS ? 'ALL_UPSTREAMS_BUSY' : 'NO_LIVE_UPSTREAM';
}

/**
 * Walk the candidates for one request; `end.walkEnded` is called once with the outcome (also for
 * upstream failures: those are answered), `end.walkFailed` once if a step threw (a bug, or the
 * exchange's `answer` failed). Throws only when the walk cannot start, before it watches the
 * client or starts an attempt.
 */
export function startWalk(input: WalkInput, exchange: Exchange, deps: WalkDeps, end: WalkEnd): void {
  new Walk(input, exchange, deps, end).start();
}

/** `startWalk` as a promise (upgrades, tests). */
export function walk(input: WalkInput, exchange: Exchange, deps: WalkDeps): Promise<WalkOutcome> {
  return new Promise((resolve, reject) => startWalk(input, exchange, deps, { walkEnded: resolve, walkFailed: reject }));
}
