import type { ServerResponse } from 'node:http';
import type { AttemptControl, AttemptResult } from './attempt.js';
import type { ForwardHeaders } from './headers.js';

/**
 * The client half both upstream clients share (`upstream-relay.ts` on undici,
 * `engine/upstream/relay.ts` on the engine): at the final response head `decide(status)` says
 * whether this answer goes to the client (another attempt may answer instead); a relayed head
 * and body are written to the client's ServerResponse, the upstream paused while `res.write`
 * returns false; the outcome is reported once: relayed, discarded, failed or cancelled.
 */
export abstract class ClientRelay {
  protected status = 0;
  protected relaying = false;
  protected settled = false;
  /** The upstream is paused until the client drains. */
  protected waitingForDrain = false;
  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.resumeUpstream();
  };

  constructor(
    protected readonly res: ServerResponse,
    protected readonly control: AttemptControl,
  ) {}

  protected abstract pauseUpstream(): void;
  protected abstract resumeUpstream(): void;
  /** Stop the exchange after a local failure (writing the head to the client threw). */
  protected abstract abortUpstream(err: Error): void;
  /** Clear what the exchange holds (timers) once it is settled. */
  protected abstract cleanUp(): void;

  /** The final response head (1xx never come here); headers are built only when relayed. */
  protected relayHead(status: number, headers: () => ForwardHeaders): void {
    this.status = status;
    this.relaying = this.control.decide(status);
    if (!this.relaying) return;
    try {
      this.res.writeHead(status, headers());
    } catch (err) {
      this.abortUpstream(err instanceof Error ? err : new Error(String(err)));
    }
  }

  protected relayBody(chunk: Buffer): void {
    if (!this.relaying || this.res.write(chunk)) return;
    this.pauseUpstream();
    // Listened to only when the client is slow (not once per response on the hot path).
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      this.res.once('drain', this.onDrain);
    }
  }

  protected relayEnd(): void {
    if (this.relaying) this.res.end();
    this.settle(this.relaying ? { kind: 'relayed', status: this.status } : { kind: 'discarded', status: this.status });
  }

  /** The exchange failed: mid-body the client gets a truncated response (never a retry). */
  protected relayError(error: Error, cancelled: boolean): void {
    if (this.settled) return;
    if (this.relaying) {
      this.res.destroy();
      return this.settle({ kind: 'relayed', status: this.status });
    }
    if (cancelled) return this.settle({ kind: 'cancelled' });
    if (this.status !== 0) return this.settle({ kind: 'discarded', status: this.status });
    this.settle({ kind: 'failed', error });
  }

  protected settle(outcome: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanUp();
    if (this.waitingForDrain) this.res.off('drain', this.onDrain);
    this.control.settled(outcome);
  }
}
