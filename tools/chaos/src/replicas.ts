/**
 * The three real model-server replicas both proxies share, with the faults applied to them:
 * kill -9 and restart, SIGSTOP and SIGCONT. `healAll` brings the set back to three ready
 * replicas between runs.
 */
import { startHttpService, type HttpService } from '@fleet/bench-kit';
import { replicaArgv } from '@fleet/model-server/node-flags';


export class ReplicaSet {
  private readonly replicas: HttpService[];
  private readonly stopped = new Set<number>();

  constructor(readonly ports: readonly number[]) {
    this.replicas = ports.map((port, i) => this.spawn(i, port));
  }

  private spawn(i: number, port: number): HttpService {
    const id = `server-${i + 1}`;
    return startHttpService({ name: id, port, cmd: process.execPath, args: replicaArgv(), env: { HOST: '127.0.0.1', PORT: String(port), SERVER_ID: id, LOG_LEVEL: 'warn' } });
  }

  private at(i: number): HttpService {
    const r = this.replicas[i];
    if (!r) throw new RangeError(`no replica ${i}`);
    return r;
  }

  async ready(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.ready));
  }

  kill(i: number): void {
    this.at(i).child.kill('SIGKILL');
  }

  /** A new process on the same port (after kill); resolves once it is ready. */
  async restart(i: number): Promise<void> {
    await this.at(i).stop('SIGKILL');
    this.replicas[i] = this.spawn(i, this.ports[i] ?? 0);
    await this.at(i).ready;
  }

  pause(i: number): void {
    this.stopped.add(i);
    this.at(i).child.kill('SIGSTOP');
  }

  resume(i: number): void {
    this.stopped.delete(i);
    this.at(i).child.kill('SIGCONT');
  }

  /** Every replica running and ready again (resumes paused ones, restarts dead ones). */
  async healAll(): Promise<void> {
    for (const i of [...this.stopped]) this.resume(i);
    await Promise.all(this.replicas.map((r, i) => (r.child.exitCode !== null || r.child.signalCode !== null ? this.restart(i) : r.ready)));
  }

  /** The replicas' process ids now (a restarted replica has a new one). */
  pids(): number[] {
    return this.replicas.map((r) => r.child.pid ?? 0);
  }

  async stopAll(): Promise<void> {
    for (const i of [...this.stopped]) this.resume(i);
    await Promise.all(this.replicas.map((r) => r.stop()));
  }
}
