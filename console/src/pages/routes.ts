import { api } from '../api.js';
import { clear, field, formValues, h, table } from '../dom.js';
import type { Page } from '../page.js';
import type { Route } from '../types.js';

/** `upstream:model[:weight[:priority]]`, one per line, as the CLI's --target takes them. */
export function parseTargets(text: string): { upstream: string; model: string; weight?: number; priority?: number }[] {
  return text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [upstream = '', model = '', weight, priority] = l.split(':');
      return { upstream, model, ...(weight !== undefined ? { weight: Number(weight) } : {}), ...(priority !== undefined ? { priority: Number(priority) } : {}) };
    });
}

export const routesPage: Page = async (ctx) => {
  const list = h('div', {});
  ctx.root.append(h('h2', {}, 'Routes'), list);
  const draw = async (): Promise<void> => {
    const { routes } = await api<{ routes: Route[] }>('GET', '/routes');
    clear(list);
    list.append(
      table(['model', 'targets (weight, priority)', 'hedge after', 'auto-cache', 'thinking budgets', 'state'], routes, (r) => [
        h('code', {}, r.model),
        r.targets.map((t) => `${t.upstream}:${t.model} (w${t.weight}, p${t.priority})`).join(', '),
        r.hedgeAfterMs ? `${r.hedgeAfterMs} ms` : '–',
        r.autoCache ?? '–',
        r.thinkingBudgets ? `${r.thinkingBudgets.low}/${r.thinkingBudgets.medium}/${r.thinkingBudgets.high}` : '–',
        r.active ? h('span', { class: 'good' }, 'active') : h('span', { class: 'muted' }, 'inactive'),
      ]),
    );
  };
  if (ctx.scope === 'write') {
    const form = h(
      'form',
      { class: 'form', id: 'set-route' },
      h('h3', {}, 'Add or replace a route'),
      field('public model', h('input', { name: 'model', required: true, placeholder: 'my-model' })),
      field('targets', h('textarea', { name: 'targets', required: true, rows: 3, placeholder: 'sim-openai:sim-openai-model:1:0' }), 'upstream:model[:weight[:priority]], one per line; lower priority is tried first'),
      field('hedge after (ms)', h('input', { name: 'hedgeAfterMs', type: 'number', min: 1 })),
      field('auto-cache', h('select', { name: 'autoCache' }, h('option', { value: '' }, 'off'), h('option', { value: '5m' }, '5m'), h('option', { value: '1h' }, '1h'))),
      field('thinking budgets', h('input', { name: 'thinkingBudgets', placeholder: '2048,8192,24576' }), 'low,medium,high tokens (≥ 1024)'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'inactive', value: 'yes' }), ' inactive'),
      h('button', { type: 'submit' }, 'Save route'),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = formValues(form);
      const body: Record<string, unknown> = { model: f.model, targets: parseTargets(f.targets ?? '') };
      if (f.hedgeAfterMs) body.hedgeAfterMs = Number(f.hedgeAfterMs);
      if (f.autoCache) body.autoCache = f.autoCache;
      if (f.thinkingBudgets) {
        const [low, medium, high] = f.thinkingBudgets.split(',').map(Number);
        body.thinkingBudgets = { low, medium, high };
      }
      if (f.inactive) body.active = false;
      api('PUT', '/routes', body).then(
        () => (ctx.flash(`Route ${f.model ?? ''} saved.`, 'ok'), form.reset(), draw()),
        (e: Error) => ctx.flash(e.message, 'error'),
      );
    });
    ctx.root.append(form);
  }
  await draw();
};
