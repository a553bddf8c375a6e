/**
 * EzyBus Console: sign in with an admin key, then one page per hash route (#/overview …).
 * Hash routing keeps every page at /console/ so the server needs no rewrite rules.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { adminKey, api, ApiError } from './api.js';
import { clear, h } from './dom.js';
import type { Page, PageContext } from './page.js';
import { keysPage } from './pages/keys.js';
import { auditPage, pricesPage } from './pages/more.js';
import { overviewPage } from './pages/overview.js';
import { requestsPage } from './pages/requests.js';
import { routesPage } from './pages/routes.js';
import { terminalPage } from './pages/terminal.js';
import { upstreamsPage } from './pages/upstreams.js';
import { usagePage } from './pages/usage.js';

const PAGES: [string, string, Page][] = [
  ['overview', 'Overview', overviewPage],
  ['terminal', 'Terminal', terminalPage],
  ['keys', 'Keys', keysPage],
  ['upstreams', 'Upstreams', upstreamsPage],
  ['routes', 'Routes', routesPage],
  ['usage', 'Usage', usagePage],
  ['requests', 'Requests', requestsPage],
  ['prices', 'Prices', pricesPage],
  ['audit', 'Audit', auditPage],
];

const app = document.getElementById('app') as HTMLElement;
let leave: (() => void)[] = [];

function signIn(message?: string): void {
  clear(app);
  const input = h('input', { id: 'admin-key', type: 'password', autocomplete: 'off', placeholder: 'ak-eb-…', required: true });
  const form = h(
    'form',
    { class: 'signin', id: 'signin' },
    h('h1', {}, h('span', { class: 'prompt' }, '>_ '), 'EzyBus Console'),
    h('p', { class: 'muted' }, 'Sign in with an admin key (printed by the first npm start, or made with ezybus admin-keys create).'),
    message ? h('p', { class: 'bad', id: 'signin-error' }, message) : null,
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    adminKey.set(input.value.trim());
    void start();
  });
  app.append(form);
  input.focus();
}

async function start(): Promise<void> {
  let who: { id: string; name: string; scope: 'read' | 'write' };
  try {
    who = await api('GET', '/whoami');
  } catch (e) {
    adminKey.clear();
    signIn(e instanceof ApiError ? e.message : 'Could not reach the admin API.');
    return;
  }
  clear(app);
  const nav = h('nav', {}, h('div', { class: 'brand' }, h('span', { class: 'prompt' }, '>_ '), 'EzyBus'), PAGES.map(([id, label]) => h('a', { href: `#/${id}`, id: `nav-${id}` }, label)));
  const flashBox = h('div', { class: 'flash', id: 'flash' });
  const main = h('main', {});
  const header = h(
    'header',
    {},
    h('span', { class: 'muted' }, `signed in as ${who.name} (${who.scope})`),
    h('button', { class: 'link', onclick: () => (adminKey.clear(), signIn()) }, 'sign out'),
  );
  app.append(nav, h('div', { class: 'content' }, header, flashBox, main));
  const flash = (message: string, kind: 'ok' | 'error' = 'ok'): void => {
    clear(flashBox);
    flashBox.append(h('div', { class: kind === 'ok' ? 'ok' : 'error', role: kind === 'error' ? 'alert' : 'status' }, message));
  };
  const route = async (): Promise<void> => {
    for (const fn of leave) fn();
    leave = [];
    clear(main);
    clear(flashBox);
    const id = location.hash.replace(/^#\/?/, '') || 'overview';
    const entry = PAGES.find(([p]) => p === id) ?? PAGES[0]!;
    for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.id === `nav-${entry[0]}`);
    const ctx: PageContext = { root: main, scope: who.scope, onLeave: (fn) => leave.push(fn), flash };
    try {
      await entry[2](ctx);
      main.dataset.ready = entry[0];
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return signIn(e.message);
      flash(e instanceof Error ? e.message : String(e), 'error');
    }
  };
  window.onhashchange = () => void route();
  await route();
}

if (adminKey.get()) void start();
else signIn();
