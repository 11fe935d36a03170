// Number and time formatting for the dashboard's cells. Pure.

export function rate(rps: number): string {
  if (rps === 0) return '0';
  if (rps < 10) return rps.toFixed(1);
  return Math.round(rps).toLocaleString('en-US');
}

export function percent(ratio: number | null): string {
  if (ratio === null) return '–';
  if (ratio === 0) return '0 %';
  if (ratio < 0.001) return '<0.1 %';
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)} %`;
}

export function millis(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function ago(ms: number): string {
  if (ms < 1000) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  return `${Math.floor(m / 60)}h ago`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString('en-GB', { hour12: false });
}
