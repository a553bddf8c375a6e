import { api } from '../api.js';
import { clear, field, formValues, h, table, time, usd } from '../dom.js';
import type { Page } from '../page.js';
import type { GatewayKey } from '../types.js';

export const GATEWAY_KEY = 'ezybus.gatewayKey';

export const keysPage: Page = async (ctx) => {
  const list = h('div', {});
  const shown = h('div', {});
  ctx.root.append(h('h2', {}, 'Gateway keys'), shown, list);
  const draw = async (): Promise<void> => {
    const { keys } = await api<{ keys: GatewayKey[] }>('GET', '/keys');
    clear(list);
    list.append(
      table(['id', 'name', 'prefix', 'models', 'limits', 'created', 'state', ''], keys, (k) => [
        h('code', {}, k.id),
        k.name,
        h('code', {}, `${k.prefix}…`),
        k.allowedModels?.join(', ') ?? 'all',
        [k.rpm ? `${k.rpm} rpm` : '', k.tpm ? `${k.tpm} tpm` : '', k.budgetMicros !== undefined ? `budget ${usd(k.budgetMicros)}` : '', k.expiresAt ? `expires ${time(new Date(k.expiresAt).toISOString())}` : ''].filter(Boolean).join(' · ') || '–',
        time(new Date(k.createdAt).toISOString()),
        k.disabled ? h('span', { class: 'bad' }, 'revoked') : h('span', { class: 'good' }, 'active'),
        ctx.scope === 'write' && !k.disabled
          ? h('button', { class: 'danger', onclick: () => void api('POST', `/keys/${encodeURIComponent(k.id)}/revoke`).then(draw, (e: Error) => ctx.flash(e.message, 'error')) }, 'revoke')
          : '',
      ]),
    );
  };
  if (ctx.scope === 'write') {
    const form = h(
      'form',
      { class: 'form', id: 'create-key' },
      h('h3', {}, 'Create a key'),
      field('name', h('input', { name: 'name', required: true, placeholder: 'alice' })),
      field('models', h('input', { name: 'models', placeholder: 'gpt-*,claude-*' }), 'comma-separated globs; empty: every routed model'),
      field('RPM', h('input', { name: 'rpm', type: 'number', min: 0 })),
      field('TPM', h('input', { name: 'tpm', type: 'number', min: 0 })),
      field('budget (USD)', h('input', { name: 'budgetUsd', type: 'number', min: 0, step: 'any' })),
      field('expires', h('input', { name: 'expiresAt', placeholder: '2027-01-01T00:00:00Z' })),
      h('button', { type: 'submit' }, 'Create key'),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = formValues(form);
      const body: Record<string, unknown> = { name: f.name };
      if (f.models) body.models = f.models.split(',').map((m) => m.trim()).filter(Boolean);
      for (const n of ['rpm', 'tpm', 'budgetUsd'] as const) if (f[n] !== undefined) body[n] = Number(f[n]);
      if (f.expiresAt) body.expiresAt = f.expiresAt;
      api<{ key: string; record: GatewayKey }>('POST', '/keys', body).then(
        ({ key, record }) => {
          clear(shown);
          shown.append(
            h(
              'div',
              { class: 'secret' },
              h('p', {}, `Created ${record.id} (${record.name}). The key is shown once — copy it now:`),
              h('code', { id: 'new-key' }, key),
              h('button', { onclick: () => (sessionStorage.setItem(GATEWAY_KEY, key), ctx.flash('The terminal will use this key.', 'ok')) }, 'Use in terminal'),
            ),
          );
          sessionStorage.setItem(GATEWAY_KEY, key);
          form.reset();
          return draw();
        },
        (e: Error) => ctx.flash(e.message, 'error'),
      );
    });
    ctx.root.append(form);
  }
  await draw();
};
