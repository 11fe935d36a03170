import { describe, expect, it } from 'vitest';
import { parseChildren, parseCmdline, parseCpusAllowed, parseNetTcp, parseStat, parseStatus } from './proc-parse.js';

describe('parseStat', () => {
  it('reads utime and stime (fields 14, 15) after a command name with spaces and parentheses', () => {
    const line = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 19000 0 0 0 1234 567 0 0 20 0 11 0 5000 1000000 20000';
    expect(parseStat(line)).toEqual({ utime: 1234, stime: 567, cutime: 0, cstime: 0 });
  });

  it('reads the waited-for children\'s time (fields 16, 17)', () => {
    const line = '1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 10 20 30 40 20 0 1 0 5 6 7';
    expect(parseStat(line)).toEqual({ utime: 10, stime: 20, cutime: 30, cstime: 40 });
  });

  it('throws BENCH_PROC_UNREADABLE on anything else', () => {
    expect(() => parseStat('garbage')).toThrow(expect.objectContaining({ code: 'BENCH_PROC_UNREADABLE' }));
  });
});

describe('parseStatus', () => {
  it('reads VmHWM and VmRSS in kB', () => {
    const text = 'Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n';
    expect(parseStatus(text)).toEqual({ peakRssKb: 123456, rssKb: 100000 });
  });

  it('throws when the memory lines are missing (a kernel thread)', () => {
    expect(() => parseStatus('Name:\tkthreadd\n')).toThrow(expect.objectContaining({ code: 'BENCH_PROC_UNREADABLE' }));
  });
});

describe('parseChildren', () => {
  it('splits pids and ignores the trailing space', () => {
    expect(parseChildren('12 34 ')).toEqual([12, 34]);
    expect(parseChildren('')).toEqual([]);
  });
});

describe('parseCmdline', () => {
  it('splits the NUL-separated arguments and drops the trailing NUL, keeping spaces inside one', () => {
    expect(parseCmdline('/usr/bin/node\0--max-semi-space-size=4\0/a b/main.js\0')).toEqual(['/usr/bin/node', '--max-semi-space-size=4', '/a b/main.js']);
    expect(parseCmdline('')).toEqual([]);
  });
});

describe('parseNetTcp', () => {
  it('reads the inode and both ports (hex) of every row, IPv4 and IPv6', () => {
    const text =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
      '   0: 0100007F:5DC0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n' +
      '   1: 0000000000000000FFFF00000100007F:5DC0 0000000000000000FFFF00000100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0 20 4 30 10 -1\n';
    expect(parseNetTcp(text)).toEqual([
      { localPort: 24000, remotePort: 0, inode: 12345 },
      { localPort: 24000, remotePort: 50000, inode: 777 },
    ]);
  });
});

describe('parseCpusAllowed', () => {
  it('reads Cpus_allowed_list, not Cpus_allowed (the mask)', () => {
    expect(parseCpusAllowed('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n')).toBe('0-1');
  });

  it('throws BENCH_PROC_UNREADABLE without the line', () => {
    expect(() => parseCpusAllowed('Name:\tnode\nCpus_allowed:\t3\n')).toThrow(expect.objectContaining({ code: 'BENCH_PROC_UNREADABLE' }));
  });
});
