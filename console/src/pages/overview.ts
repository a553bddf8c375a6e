import { api } from '../api.js';
import { lineChart } from '../chart.js';
import { clear, h, ms, num, pct, table, usd } from '../dom.js';
import type { Page } from '../page.js';
import type { Group, Overview } from '../types.js';

const card = (label: string, value: string, sub?: string): HTMLElement => h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null);

const groupTable = (title: string, groups: Record<string, Group>, attempts = false): HTMLElement =>
  h(
    'section',
    {},
    h('h3', {}, title),
    table(
      ['name', 'requests', 'errors', ...(attempts ? ['failed attempts'] : []), 'TTFT p50', 'TTFT p95', 'output tokens', 'cost'],
      Object.entries(groups),
      ([name, g]) => [name, num(g.requests), num(g.errors), ...(attempts ? [g.failedAttempts ? h('span', { class: 'warn' }, num(g.failedAttempts)) : '0'] : []), ms(g.p50), ms(g.p95), num(g.outputTokens), usd(g.costMicros)],
      'No requests in this window.',
    ),
  );

export const overviewPage: Page = async (ctx) => {
  const minutesSel = h('select', { id: 'window' }, [5, 15, 60, 360, 1440].map((m) => h('option', { value: m, selected: m === 15 }, m < 60 ? `last ${m} min` : `last ${m / 60} h`)));
  const body = h('div', {});
  ctx.root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Overview'), minutesSel), body);
  const draw = async (): Promise<void> => {
    const o = await api<Overview>('GET', `/overview?minutes=${minutesSel.value}`);
    clear(body);
    const seconds = (o.to - o.from) / 1000;
    body.append(
      h(
        'div',
        { class: 'cards' },
        card('requests / s', num(o.requestsPerSec, 2), `${num(o.requests)} in ${num(seconds / 60)} min`),
        card('tokens / s streamed', num(o.outputTokensPerSec, 1), `input ${num(o.inputTokensPerSec, 1)} / s`),
        card('TTFT p50 / p95', `${ms(o.ttft.p50)} / ${ms(o.ttft.p95)}`, `${num(o.ttft.count)} streams`),
        card('error rate', pct(o.errorRate)),
        card('failover rate', pct(o.failoverRate)),
        card(
          'hedging',
          `${num(o.hedge.wonByHedge)} won / ${num(o.hedge.fired)} fired`,
          o.hedge.wonByHedge ? `first launch still silent at ${ms(o.hedge.firstLaunchSilentP50Ms)} (p50) when the hedge answered; hedged TTFT p50 ${ms(o.hedge.ttftP50Hedged)}` : 'no hedge won in this window',
        ),
        card('spend today', usd(o.spendTodayMicros), `${num(o.requestsToday)} requests on ${o.today}`),
      ),
    );
    const charts = h('div', { class: 'charts' });
    body.append(charts);
    const xs = o.series.map((b) => b.t / 1000);
    const bucketS = o.series.length > 1 ? (o.series[1]!.t - o.series[0]!.t) / 1000 : seconds;
    const c1 = h('div', { class: 'chart' });
    const c2 = h('div', { class: 'chart' });
    charts.append(c1, c2);
    lineChart(c1, 'requests / s and output tokens / s', xs, [
      { label: 'requests/s', values: o.series.map((b) => b.requests / bucketS) },
      { label: 'tokens/s', values: o.series.map((b) => b.outputTokens / bucketS) },
    ]);
    lineChart(c2, 'TTFT p50 (ms)', xs, [{ label: 'TTFT p50', values: o.series.map((b) => b.ttftP50) }]);
    body.append(groupTable('Per model', o.byModel), groupTable('Per upstream (the one that served; failed attempts wherever they happened)', o.byUpstream, true));
    if (o.truncated) body.append(h('p', { class: 'muted' }, 'More requests than the overview reads in one view: figures are from the newest 20,000.'));
  };
  minutesSel.addEventListener('change', () => void draw().catch((e: Error) => ctx.flash(e.message, 'error')));
  await draw();
  const t = setInterval(() => void draw().catch(() => undefined), 5_000);
  ctx.onLeave(() => clearInterval(t));
};
