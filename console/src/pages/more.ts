/** Read-mostly pages: price catalog and overrides, and the audit trail. */
import { api } from '../api.js';
import { h, table, time, usd } from '../dom.js';
import type { Page } from '../page.js';

interface Tier {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

export const pricesPage: Page = async (ctx) => {
  const p = await api<{ catalogVersion: string; overrides: { model: string; price: Tier; note?: string; updatedAt: number }[]; catalog: { provider: string; model: string; price: Tier }[] }>('GET', '/prices');
  const cells = (pr: Tier): string[] => [usd(pr.input), usd(pr.output), usd(pr.cacheRead), usd(pr.cacheWrite5m), usd(pr.cacheWrite1h)];
  ctx.root.append(
    h('h2', {}, 'Prices (USD per million tokens)'),
    h('h3', {}, 'Overrides'),
    table(['model', 'input', 'output', 'cache read', 'write 5m', 'write 1h', 'note'], p.overrides, (o) => [h('code', {}, o.model), ...cells(o.price), o.note ?? '']),
    h('h3', {}, `Catalog ${p.catalogVersion}`),
    table(['provider', 'model', 'input', 'output', 'cache read', 'write 5m', 'write 1h'], p.catalog, (c) => [c.provider, h('code', {}, c.model), ...cells(c.price)]),
    h('p', { class: 'muted' }, 'Set overrides with PUT /admin/prices or `ezybus prices set`.'),
  );
};

export const auditPage: Page = async (ctx) => {
  const { entries } = await api<{ entries: { time: string; actor: { kind: string; id: string; name?: string }; action: string; target: string; detail: Record<string, unknown> }[] }>('GET', '/audit?days=7&limit=200');
  ctx.root.append(
    h('h2', {}, 'Audit trail'),
    table(['time', 'who', 'action', 'target', 'detail'], entries, (e) => [time(e.time), `${e.actor.kind}:${e.actor.name ?? e.actor.id}`, h('code', {}, e.action), e.target, h('code', { class: 'small' }, JSON.stringify(e.detail))]),
  );
};
