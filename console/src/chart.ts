/** uPlot line charts with the console's colours; one call per chart. */
import uPlot from 'uplot';

const COLORS = ['#4ade80', '#60a5fa', '#f472b6', '#facc15', '#a78bfa', '#fb923c'];

export function lineChart(el: HTMLElement, title: string, xs: number[], series: { label: string; values: (number | null)[] }[], opts: { bars?: boolean; height?: number; y?: (v: number) => string } = {}): uPlot {
  const width = Math.max(280, el.clientWidth || 560);
  return new uPlot(
    {
      title,
      width,
      height: opts.height ?? 180,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
      axes: [
        { stroke: '#9ca3af', grid: { stroke: '#1f2937' }, ticks: { stroke: '#374151' } },
        { stroke: '#9ca3af', grid: { stroke: '#1f2937' }, ticks: { stroke: '#374151' }, size: 70, ...(opts.y ? { values: (_u: uPlot, vals: number[]) => vals.map((v) => (opts.y as (v: number) => string)(v)) } : {}) },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length] as string,
          width: 2,
          // Single points (one busy minute) must show too.
          points: { show: true, size: 5 },
          spanGaps: true,
          ...(opts.bars ? { paths: uPlot.paths.bars?.({ size: [0.6, 40] }), fill: `${COLORS[i % COLORS.length] as string}55` } : {}),
        })),
      ],
    },
    [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
    el,
  );
}
