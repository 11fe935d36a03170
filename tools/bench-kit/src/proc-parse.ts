/**
 * Pure parsers for Linux /proc files (proc(5)). Kept apart from the readers so they are
 * tested on fixed text.
 */
import { BENCH_KIT_ERRORS, BenchKitError } from './errors.js';

/** CPU time of a process in clock ticks: utime + stime of every thread, live and exited. */
export interface CpuTicks {
  utime: number;
  stime: number;
  /** utime + stime of the children it has waited for (fields 16, 17). */
  cutime: number;
  cstime: number;
}

/**
 * `/proc/<pid>/stat`: fields 14 and 15 (utime, stime). The command name (field 2) is in
 * parentheses and may itself contain spaces and parentheses, so fields are counted after the
 * last `)`.
 */
export function parseStat(text: string): CpuTicks {
  const close = text.lastIndexOf(')');
  const fields = close === -1 ? [] : text.slice(close + 2).trim().split(/\s+/);
  // after the comm: field 3 (state) is fields[0], so field N is fields[N - 3]
  const values = [11, 12, 13, 14].map((i) => Number(fields[i] ?? NaN));
  if (!values.every(Number.isFinite)) {
    throw new BenchKitError(BENCH_KIT_ERRORS.PROC_UNREADABLE, `not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  }
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = values;
  return { utime, stime, cutime, cstime };
}

/** Memory lines of `/proc/<pid>/status`, in kB: VmHWM (peak resident set) and VmRSS (current). */
export interface MemoryKb {
  peakRssKb: number;
  rssKb: number;
}

export function parseStatus(text: string): MemoryKb {
  const read = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const peakRssKb = read('VmHWM');
  const rssKb = read('VmRSS');
  if (!Number.isFinite(peakRssKb) || !Number.isFinite(rssKb)) {
    throw new BenchKitError(BENCH_KIT_ERRORS.PROC_UNREADABLE, 'no VmHWM/VmRSS lines in /proc/<pid>/status');
  }
  return { peakRssKb, rssKb };
}

/** `Cpus_allowed_list` of `/proc/<pid>/status` (`0-1`, `1`). */
export function parseCpusAllowed(text: string): string {
  const list = /^Cpus_allowed_list:\s+(\S+)/m.exec(text)?.[1];
  if (list === undefined) throw new BenchKitError(BENCH_KIT_ERRORS.PROC_UNREADABLE, 'no Cpus_allowed_list line in /proc/<pid>/status');
  return list;
}

/** `/proc/<pid>/task/<tid>/children`: space-separated pids. */
/** `/proc/<pid>/cmdline`: the arguments, NUL-separated (argv[0] first). */
export function parseCmdline(text: string): string[] {
  return text.split('\0').filter((arg) => arg !== '');
}

export function parseChildren(text: string): number[] {
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** One row of /proc/net/tcp or tcp6: the socket's inode and its two ports. */
export interface TcpSocket {
  inode: number;
  localPort: number;
  remotePort: number;
}

/** `/proc/net/tcp` and `/proc/net/tcp6`: `sl local_address rem_address st … inode`, ports in hex after the `:`. */
export function parseNetTcp(text: string): TcpSocket[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9)
    .map((f) => ({
      localPort: parseInt((f[1] ?? '').split(':')[1] ?? '', 16),
      remotePort: parseInt((f[2] ?? '').split(':')[1] ?? '', 16),
      inode: Number(f[9]),
    }))
    .filter((s) => Number.isFinite(s.inode) && Number.isFinite(s.localPort));
}
