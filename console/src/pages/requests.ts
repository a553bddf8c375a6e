import { api } from '../api.js';
import { clear, field, formValues, h, ms, num, table, time, usd } from '../dom.js';
import type { Page } from '../page.js';
import type { RequestRow } from '../types.js';

export const attemptsText = (r: Pick<RequestRow, 'attempts'>): string => r.attempts.map((a) => `${a.upstream} → ${a.outcome} (${a.ms} ms)`).join(' · ') || '–';

export const requestsPage: Page = async (ctx) => {
  const form = h(
    'form',
    { class: 'filters', id: 'filters' },
    field('model', h('input', { name: 'model' })),
    field('key id', h('input', { name: 'key' })),
    field('upstream', h('input', { name: 'upstream' })),
    field('status', h('select', { name: 'status' }, h('option', { value: '' }, 'any'), h('option', { value: 'ok' }, 'ok'), h('option', { value: 'error' }, 'errors'))),
    field('protocol', h('select', { name: 'protocol' }, h('option', { value: '' }, 'any'), h('option', { value: 'openai' }, 'openai'), h('option', { value: 'anthropic' }, 'anthropic'))),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const list = h('div', {});
  const detail = h('div', { id: 'detail' });
  ctx.root.append(h('h2', {}, 'Request log'), form, list, detail);
  let rows: RequestRow[] = [];
  let next: string | undefined;
  const params = (): URLSearchParams => new URLSearchParams({ ...formValues(form), limit: '50' });
  const show = async (id: string): Promise<void> => {
    const { record } = await api<{ record: Record<string, unknown> }>('GET', `/requests/${encodeURIComponent(id)}`);
    clear(detail);
    detail.append(h('h3', {}, `Request ${id}`), h('pre', { class: 'json' }, JSON.stringify(record, null, 2)));
    detail.scrollIntoView({ block: 'nearest' });
  };
  const draw = (): void => {
    clear(list);
    list.append(
      table(['time', 'model', 'key', 'client', 'upstream', 'status', 'attempts', 'TTFT', 'duration', 'tokens in/out', 'cost'], rows, (r) => [
        h('a', { href: '#', class: 'req', 'data-id': r.requestId, onclick: (e: Event) => (e.preventDefault(), void show(r.requestId).catch((er: Error) => ctx.flash(er.message, 'error'))) }, time(r.time)),
        h('code', {}, r.model ?? '–'),
        r.keyId ?? '–',
        `${r.clientProtocol}${r.stream ? ' · stream' : ''}`,
        r.upstreamId ? `${r.upstreamId}:${r.upstreamModel ?? ''}` : '–',
        h('span', { class: r.status < 400 ? 'good' : 'bad' }, String(r.status)),
        attemptsText(r),
        ms(r.ttfbMs),
        ms(r.durationMs),
        `${num(r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens)} / ${num(r.outputTokens)}`,
        h('span', { class: 'cost' }, usd(r.costMicros)),
      ], 'No requests match.'),
    );
    if (next) list.append(h('button', { onclick: () => void more() }, 'Older'));
  };
  const load = async (): Promise<void> => {
    const res = await api<{ rows: RequestRow[]; next?: string }>('GET', `/requests?${params().toString()}`);
    rows = res.rows;
    next = res.next;
    draw();
  };
  const more = async (): Promise<void> => {
    if (!next) return;
    const p = params();
    p.set('before', next);
    const res = await api<{ rows: RequestRow[]; next?: string }>('GET', `/requests?${p.toString()}`);
    rows = rows.concat(res.rows);
    next = res.next;
    draw();
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load().catch((e: Error) => ctx.flash(e.message, 'error'));
  });
  await load();
};
