// One small chart per peer: req/s (filled) and p99 latency (line, own scale) for the last
// minutes, on a shared time axis so the peers' charts line up. uPlot draws on a canvas.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './html.js';
import type { Columns } from './series.js';

export interface SparklineProps {
  data: Columns;
  /** The x range [from, to] in seconds since the epoch. */
  range: [number, number];
  width?: number;
  height?: number;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function options(width: number, height: number, range: { current: [number, number] }): uPlot.Options {
  const rps = cssVar('--rps');
  const p99 = cssVar('--p99');
  return {
    width,
    height,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: [4, 2, 2, 2],
    scales: {
      x: { time: true, range: () => range.current },
      rps: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
      ms: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
    },
    axes: [{ show: false }, { show: false, scale: 'rps' }, { show: false, scale: 'ms' }],
    series: [
      {},
      { label: 'req/s', scale: 'rps', stroke: rps, fill: `${rps}33`, width: 1.5, points: { show: false } },
      { label: 'p99 ms', scale: 'ms', stroke: p99, width: 1.25, dash: [3, 2], points: { show: false } },
    ],
  };
}

export function Sparkline({ data, range, width = 200, height = 44 }: SparklineProps) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const xRange = useRef<[number, number]>(range);
  xRange.current = range;
  useEffect(() => {
    if (el.current === null) return undefined;
    plot.current = new uPlot(options(width, height, xRange), data, el.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [width, height]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data, range[1]]);
  return html`<div class="spark" ref=${el} role="img" aria-label="req/s and p99 latency, last minutes"></div>`;
}
