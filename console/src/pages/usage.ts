import { api, download } from '../api.js';
import { lineChart } from '../chart.js';
import { clear, field, h, num, table, usd } from '../dom.js';
import type { Page } from '../page.js';
import type { UsageRow } from '../types.js';

const day = (t: number): string => new Date(t).toISOString().slice(0, 10);

export const usagePage: Page = async (ctx) => {
  const from = h('input', { name: 'from', type: 'date', value: day(Date.now() - 13 * 86_400_000) });
  const to = h('input', { name: 'to', type: 'date', value: day(Date.now()) });
  const body = h('div', {});
  const query = (): string => `from=${from.value}&to=${to.value}`;
  const csv = h('button', { id: 'csv', onclick: () => void download(`/usage?${query()}&format=csv`, `ezybus-usage-${from.value}-${to.value}.csv`).catch((e: Error) => ctx.flash(e.message, 'error')) }, 'Export CSV');
  ctx.root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Usage and cost'), field('from', from), field('to', to), csv), body);
  const draw = async (): Promise<void> => {
    const { rows } = await api<{ rows: UsageRow[] }>('GET', `/usage?${query()}`);
    clear(body);
    const days: string[] = [];
    for (let t = Date.parse(from.value); t <= Date.parse(to.value); t += 86_400_000) days.push(day(t));
    const sum = (d: string, f: string): number => rows.filter((r) => r.day === d).reduce((s, r) => s + (r.values[f] ?? 0), 0);
    const charts = h('div', { class: 'charts' });
    const c1 = h('div', { class: 'chart' });
    const c2 = h('div', { class: 'chart' });
    charts.append(c1, c2);
    body.append(charts);
    const xs = days.map((d) => Date.parse(d) / 1000);
    lineChart(c1, 'cost per day (USD)', xs, [{ label: 'cost', values: days.map((d) => sum(d, 'costMicros') / 1e6) }], { bars: true, y: (v) => `$${v < 0.01 ? v.toFixed(5) : v.toFixed(2)}` });
    lineChart(c2, 'tokens per day', xs, [
      { label: 'input', values: days.map((d) => sum(d, 'inputTokens') + sum(d, 'cacheReadTokens') + sum(d, 'cacheWrite5mTokens') + sum(d, 'cacheWrite1hTokens')) },
      { label: 'output', values: days.map((d) => sum(d, 'outputTokens')) },
    ]);
    const total = rows.reduce((s, r) => s + (r.values.costMicros ?? 0), 0);
    body.append(
      h('p', {}, `Total ${usd(total)} over ${num(rows.reduce((s, r) => s + (r.values.requests ?? 0), 0))} requests.`),
      table(['day', 'key', 'model', 'requests', 'errors', 'input', 'cache read', 'output', 'cost'], [...rows].reverse(), (r) => [
        r.day,
        r.keyName,
        h('code', {}, r.model),
        num(r.values.requests ?? 0),
        num(r.values.errors ?? 0),
        num(r.values.inputTokens ?? 0),
        num(r.values.cacheReadTokens ?? 0),
        num(r.values.outputTokens ?? 0),
        h('span', { class: 'cost' }, usd(r.values.costMicros ?? 0)),
      ], 'No usage in this range.'),
    );
  };
  for (const el of [from, to]) el.addEventListener('change', () => void draw().catch((e: Error) => ctx.flash(e.message, 'error')));
  await draw();
};
