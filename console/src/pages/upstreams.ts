import { api } from '../api.js';
import { clear, field, formValues, h, table } from '../dom.js';
import type { Page } from '../page.js';
import type { Upstream, UpstreamKey } from '../types.js';

/** "12.3 s" left of a cooldown, counted down in the page between refreshes. */
const countdown = (untilMs: number): string => {
  const left = Math.max(0, untilMs - Date.now());
  return left >= 60_000 ? `${Math.floor(left / 60_000)} m ${Math.round((left % 60_000) / 1000)} s` : `${(left / 1000).toFixed(1)} s`;
};

export const upstreamsPage: Page = async (ctx) => {
  const list = h('div', {});
  ctx.root.append(h('h2', {}, 'Upstreams and key pools'), list);
  const write = ctx.scope === 'write';
  const act = (method: string, path: string, body: unknown): void => void api(method, path, body).then(draw, (e: Error) => ctx.flash(e.message, 'error'));
  const keyState = (u: Upstream, k: UpstreamKey): HTMLElement => {
    if (k.state === 'cooling' && k.coolingForMs !== undefined) {
      const until = Date.now() + k.coolingForMs;
      return h('span', { class: 'warn countdown', 'data-until': until }, `cooling ${countdown(until)}`);
    }
    if (k.state === 'disabled') return h('span', { class: 'bad' }, `disabled${k.reason ? `: ${k.reason}` : k.health?.disabled ? `: ${k.health.disabled}` : ''}`);
    if (k.state === 'probing') return h('span', { class: 'warn' }, `probing (${k.health?.failures ?? 0} failures)`);
    return h('span', { class: 'good' }, u.disabled ? 'ready (upstream disabled)' : 'ready');
  };
  const draw = async (): Promise<void> => {
    const { upstreams } = await api<{ upstreams: Upstream[] }>('GET', '/upstreams');
    clear(list);
    for (const u of upstreams) {
      list.append(
        h(
          'section',
          { class: 'upstream' },
          h('h3', {}, `${u.id} `, h('small', { class: 'muted' }, `${u.protocol} · ${u.baseUrl}`), u.disabled ? h('span', { class: 'bad' }, ' disabled') : null, ' ', write ? h('button', { class: 'small', onclick: () => act('PATCH', `/upstreams/${u.id}`, { disabled: !u.disabled }) }, u.disabled ? 'enable upstream' : 'disable upstream') : ''),
          table(['key', 'hint', 'state', 'failures', ''], u.keys, (k) => [
            h('code', {}, k.id),
            k.hint,
            keyState(u, k),
            String(k.health?.failures ?? 0),
            write ? h('button', { onclick: () => act('PATCH', `/upstreams/${u.id}/keys/${k.id}`, { disabled: !k.disabled }) }, k.disabled ? 'enable' : 'disable') : '',
          ], 'No keys: add one below.'),
        ),
      );
    }
    if (!upstreams.length) list.append(h('p', { class: 'muted' }, 'No upstreams yet.'));
  };
  if (write) {
    const add = h(
      'form',
      { class: 'form', id: 'add-upstream' },
      h('h3', {}, 'Add an upstream'),
      field('id', h('input', { name: 'id', required: true, placeholder: 'openai-eu' })),
      field('protocol', h('select', { name: 'protocol' }, [['chat-completions', 'OpenAI Chat Completions'], ['messages', 'Anthropic Messages'], ['generate-content', 'Gemini generateContent']].map(([v, l]) => h('option', { value: v }, l)))),
      field('base URL', h('input', { name: 'baseUrl', required: true, placeholder: 'https://api.openai.com' })),
      field('API key', h('input', { name: 'apiKey', type: 'password', autocomplete: 'off' }), 'encrypted under the stage key; only the last four characters are kept readable'),
      h('button', { type: 'submit' }, 'Add upstream'),
    );
    add.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act('POST', '/upstreams', formValues(add));
      add.reset();
    });
    const rotate = h(
      'form',
      { class: 'form', id: 'rotate-key' },
      h('h3', {}, 'Add or rotate a provider key'),
      field('upstream', h('input', { name: 'upstream', required: true })),
      field('API key', h('input', { name: 'apiKey', type: 'password', required: true, autocomplete: 'off' })),
      field('retire key id', h('input', { name: 'retire' }), 'optional: the key this one replaces'),
      h('button', { type: 'submit' }, 'Add key'),
    );
    rotate.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const { upstream, ...rest } = formValues(rotate);
      act('POST', `/upstreams/${encodeURIComponent(upstream ?? '')}/keys`, rest);
      rotate.reset();
    });
    ctx.root.append(h('div', { class: 'forms' }, add, rotate));
  }
  await draw();
  const tick = setInterval(() => {
    for (const el of ctx.root.querySelectorAll<HTMLElement>('.countdown')) el.textContent = `cooling ${countdown(Number(el.dataset.until))}`;
  }, 250);
  const refresh = setInterval(() => void draw().catch(() => undefined), 5_000);
  ctx.onLeave(() => (clearInterval(tick), clearInterval(refresh)));
};
