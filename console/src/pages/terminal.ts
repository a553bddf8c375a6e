/**
 * The playground: stream a prompt through the gateway with a gateway key, in either client
 * protocol, and watch it arrive. TTFT and tokens/s are measured here in the browser (what a
 * client sees); attempts (failover, hedge), the server's own TTFT and the cost come from the
 * request's usage record, looked up by the x-request-id the gateway returns, once the ledger
 * has it.
 */
import { api, ApiError } from '../api.js';
import { clear, field, h, ms, num, table, usd } from '../dom.js';
import type { Page } from '../page.js';
import { parseEvent, requestFor, splitEvents, type ClientProtocol } from '../stream.js';
import type { Route } from '../types.js';
import { GATEWAY_KEY } from './keys.js';

interface UsageRecord {
  status: number;
  costMicros: number;
  ttfbMs: number | null;
  durationMs: number;
  upstreamId: string | null;
  attempts: { upstream: string; upstreamKeyId: string; model: string; outcome: number | string; ms: number }[];
  usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number } | null;
}

export const terminalPage: Page = async (ctx) => {
  const { routes } = await api<{ routes: Route[] }>('GET', '/routes');
  const model = h('select', { name: 'model', id: 'term-model' }, routes.filter((r) => r.active).map((r) => h('option', { value: r.model }, r.model)));
  const protocol = h('select', { name: 'protocol', id: 'term-protocol' }, h('option', { value: 'openai' }, 'OpenAI Chat Completions'), h('option', { value: 'anthropic' }, 'Anthropic Messages'));
  const key = h('input', { name: 'key', id: 'term-key', type: 'password', autocomplete: 'off', placeholder: 'sk-eb-…', value: sessionStorage.getItem(GATEWAY_KEY) ?? '' });
  const maxTokens = h('input', { name: 'max', type: 'number', min: 1, value: 256 });
  const prompt = h('textarea', { id: 'term-prompt', rows: 3 }, 'Write a haiku about low latency.');
  const send = h('button', { id: 'term-send', type: 'submit' }, 'Stream ▶');
  const screen = h('pre', { class: 'screen', id: 'term-output' });
  const stats = h('div', { class: 'cards', id: 'term-stats' });
  const after = h('div', { id: 'term-record' });
  const form = h('form', { class: 'terminal-form' }, field('model', model), field('client protocol', protocol), field('gateway key', key, 'a key created on the Keys page is filled in'), field('max tokens', maxTokens), field('prompt', prompt), send);
  ctx.root.append(h('h2', {}, 'Terminal'), form, stats, screen, after);
  const stat = (label: string, value: string): HTMLElement => h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));

  const run = async (): Promise<void> => {
    clear(screen);
    clear(after);
    clear(stats);
    const p = protocol.value as ClientProtocol;
    const r = requestFor(p, model.value, prompt.value, Number(maxTokens.value) || 256);
    sessionStorage.setItem(GATEWAY_KEY, key.value);
    const t0 = performance.now();
    let tFirst: number | undefined;
    let chars = 0;
    let outputTokens: number | undefined;
    const draw = (done: boolean): void => {
      const now = performance.now();
      const streamingS = tFirst !== undefined ? (now - tFirst) / 1000 : 0;
      const toks = outputTokens ?? Math.round(chars / 4);
      clear(stats);
      stats.append(
        stat('TTFT (browser)', tFirst === undefined ? '…' : ms(tFirst - t0)),
        stat(outputTokens !== undefined ? 'tokens/s' : 'tokens/s (≈ chars/4)', streamingS > 0 ? num(toks / streamingS, 1) : '…'),
        stat('output tokens', outputTokens !== undefined ? num(outputTokens) : `≈ ${num(toks)}`),
        stat('elapsed', ms(now - t0)),
        stat('state', done ? 'done' : 'streaming'),
      );
    };
    const res = await fetch(r.path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.value}`, ...r.headers }, body: r.body });
    const requestId = res.headers.get('x-request-id') ?? '';
    if (!res.ok || !res.body) {
      screen.append(h('span', { class: 'bad' }, `HTTP ${res.status}: ${await res.text()}`));
      return;
    }
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const ticker = setInterval(() => draw(false), 200);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        const { events, rest } = splitEvents(buf);
        buf = rest;
        for (const e of events) {
          const ev = parseEvent(p, e);
          if (ev.text) {
            tFirst ??= performance.now();
            chars += ev.text.length;
            screen.append(ev.text);
          }
          if (ev.outputTokens !== undefined) outputTokens = ev.outputTokens;
          if (ev.error) screen.append(h('span', { class: 'bad' }, `\n[error] ${ev.error}`));
        }
      }
    } finally {
      clearInterval(ticker);
    }
    draw(true);
    screen.append(h('span', { class: 'cursor' }, ' ▍'));
    // The record is written as the request ends; with the ledger writer batching, a moment later.
    after.append(h('p', { class: 'muted' }, `request ${requestId}: waiting for its usage record…`));
    for (let i = 0; i < 40; i++) {
      try {
        const { record } = await api<{ record: UsageRecord }>('GET', `/requests/${encodeURIComponent(requestId)}`);
        clear(after);
        after.append(
          h(
            'div',
            { class: 'cards' },
            stat('cost', usd(record.costMicros)),
            stat('TTFT (gateway)', ms(record.ttfbMs)),
            stat('duration', ms(record.durationMs)),
            stat('served by', record.upstreamId ?? '–'),
            stat('tokens in / out', record.usage ? `${num(record.usage.inputTokens + record.usage.cacheReadTokens)} / ${num(record.usage.outputTokens)}` : '–'),
          ),
          h('h3', {}, 'Attempts'),
          table(['#', 'upstream', 'key', 'model', 'outcome', 'time'], record.attempts.map((a, n) => ({ ...a, n })), (a) => [
            String(a.n + 1),
            a.upstream,
            h('code', {}, a.upstreamKeyId),
            a.model,
            h('span', { class: a.outcome === 200 ? 'good' : 'warn' }, String(a.outcome)),
            ms(a.ms),
          ]),
          h('p', { class: 'muted' }, h('code', { id: 'term-request-id' }, requestId)),
        );
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
        await new Promise((ok) => setTimeout(ok, 250));
      }
    }
    after.append(h('p', { class: 'warn' }, 'No usage record yet; find it later in the request log.'));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send.setAttribute('disabled', '');
    run()
      .catch((e: Error) => ctx.flash(e.message, 'error'))
      .finally(() => send.removeAttribute('disabled'));
  });
};
