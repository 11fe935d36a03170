/**
 * Readings of running processes from /proc (Linux): CPU time, memory, open file descriptors,
 * child processes. A process that is gone reads as undefined (the caller decides whether
 * that matters); any other failure throws.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { parseChildren, parseCmdline, parseNetTcp, parseStat, parseStatus, type CpuTicks, type MemoryKb } from './proc-parse.js';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK` (100 on every Linux this runs on), read once. */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** A /proc file of `pid` as text; undefined when the process is gone. */
export function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw error;
  }
}

export function cpuTicks(pid: number): CpuTicks | undefined {
  const text = readProc(pid, 'stat');
  return text === undefined ? undefined : parseStat(text);
}

/** The command line of `pid` (argv[0] first); undefined when the process is gone. */
export function commandLine(pid: number): string[] | undefined {
  const text = readProc(pid, 'cmdline');
  return text === undefined ? undefined : parseCmdline(text);
}

export function memoryKb(pid: number): MemoryKb | undefined {
  const text = readProc(pid, 'status');
  return text === undefined ? undefined : parseStatus(text);
}

/** Entries of /proc/<pid>/<dir>; undefined when the process is gone. */
function listProc(pid: number, dir: string): string[] | undefined {
  try {
    return readdirSync(`/proc/${pid}/${dir}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd). */
export function fdCount(pid: number): number | undefined {
  return listProc(pid, 'fd')?.length;
}

/** Direct children of a process, over all its threads. */
export function childPids(pid: number): number[] {
  return (listProc(pid, 'task') ?? []).flatMap((tid) => parseChildren(readProc(pid, `task/${tid}/children`) ?? ''));
}

/** CPU seconds of this process's reaped children so far (cutime + cstime of /proc/self/stat). */
export function reapedChildrenCpuSeconds(): number {
  const t = cpuTicks(process.pid);
  return t === undefined ? 0 : (t.cutime + t.cstime) / clockTicksPerSecond();
}

/** Sum of CPU seconds (user + system) over `pids`; processes already gone count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const t = cpuTicks(pid);
    if (t) ticks += t.utime + t.stime;
  }
  return ticks / clockTicksPerSecond();
}

/** Sums of peak and current RSS over `pids`, in MB. */
export function memoryMb(pids: readonly number[]): { peakRssMb: number; rssMb: number } {
  let peak = 0;
  let rss = 0;
  for (const pid of pids) {
    const m = memoryKb(pid);
    peak += m?.peakRssKb ?? 0;
    rss += m?.rssKb ?? 0;
  }
  return { peakRssMb: peak / 1024, rssMb: rss / 1024 };
}

/** Sum of open fds over `pids`. */
export function fdTotal(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (fdCount(pid) ?? 0), 0);
}

/** Socket inodes among a process's open fds (links `socket:[N]`). */
function socketInodes(pid: number): number[] {
  return (listProc(pid, 'fd') ?? []).flatMap((fd) => {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      return m ? [Number(m[1])] : [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // closed meanwhile
      throw error;
    }
  });
}

/**
 * How many sockets the processes `pids` hold whose peer port is one of `remotePorts` (the
 * local ports of connections this process opened to them): exactly the proxy's resources held
 * for those connections, apart from its upstream pool or other clients.
 */
export function socketsHeldFor(pids: readonly number[], remotePorts: ReadonlySet<number>): number {
  if (remotePorts.size === 0) return 0;
  const byInode = new Map(
    ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => parseNetTcp(readFileSync(file, 'utf8')).map((s) => [s.inode, s] as const)),
  );
  return pids.flatMap(socketInodes).filter((inode) => remotePorts.has(byInode.get(inode)?.remotePort ?? -1)).length;
}
