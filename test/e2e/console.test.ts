/**
 * The console in a real browser: Debian's headless Chromium driven by playwright-core, against
 * the local gateway (simulator upstreams, dynalite, the admin function serving /console).
 * An operator signs in (a wrong key first), creates a gateway key, adds an upstream whose key
 * is rate-limited and a route that fails over from it, streams a prompt from the terminal and
 * watches the text arrive, then finds that request in the request log and its cost in usage.
 * Every page is photographed and a console.md is written with the bundle's size and the
 * first-load time measured here: into docs/ with EZYBUS_UPDATE_DOCS=1 (how docs/console.md and
 * its screenshots are refreshed), otherwise into a temporary folder, so a test run leaves the
 * checkout clean.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../console/build.js';
import { createAdminKey } from '../../functions/shared/admin/admin-keys.js';
import { startStack, UPSTREAM_MODELS, type Stack } from '../helpers/stack.js';

const root = new URL('../..', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const docsDir = process.env.EZYBUS_UPDATE_DOCS === '1' ? join(root, 'docs') : mkdtempSync(join(tmpdir(), 'ezybus-console-docs-'));
const shots = join(docsDir, 'console');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let s: Stack;
let ctx: BrowserContext;
let page: Page;
let adminKey: string;
let profile: string;
const shotList: { file: string; caption: string }[] = [];

async function shot(name: string, caption: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  shotList.push({ file: `console/${name}.png`, caption });
}

async function go(id: string): Promise<void> {
  await page.click(`#nav-${id}`);
  await page.waitForSelector(`main[data-ready="${id}"]`);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: npm test installs it with apt (scripts/ensure-deps.mjs --test)`);
  s = await startStack();
  adminKey = (await createAdminKey('e2e operator', 'write')).key;
  mkdirSync(shots, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'ezybus-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1360, height: 860 } });
  page = ctx.pages()[0] ?? (await ctx.newPage());
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await s?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('console (headless Chromium)', () => {
  it('signs in, creates a key, adds a route, streams from the terminal, finds the request and its cost', { timeout: 180_000 }, async () => {
    // A price for the simulator's model, so the request has a cost to find.
    const put = await fetch(`${s.url}/admin/prices`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: UPSTREAM_MODELS.openai, input: 2.5, output: 10, note: 'e2e' }),
    });
    expect(put.status).toBe(200);

    // First visit builds the console (local only); measure a cold-cache load after it.
    await page.goto(`${s.url}/console/`);
    await page.waitForSelector('#signin');
    // A cold-cache load, as an operator's first visit (the local build already done).
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.reload({ waitUntil: 'load' });
    const nav = await page.evaluate(() => {
      const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      return { load: e.loadEventEnd - e.startTime, dcl: e.domContentLoadedEventEnd - e.startTime, transferred: e.transferSize + res.reduce((n, r) => n + r.transferSize, 0) };
    });

    // A wrong key is refused with the API's reason, and the form stays.
    await page.fill('#admin-key', 'ak-eb-not-a-real-key');
    await page.click('#signin button');
    await expect(page.waitForSelector('#signin-error')).resolves.toBeTruthy();
    expect(await page.textContent('#signin-error')).toMatch(/Invalid admin key/);
    await shot('signin', 'Sign-in, after a wrong admin key');

    await page.fill('#admin-key', adminKey);
    await page.click('#signin button');
    await page.waitForSelector('main[data-ready="overview"]');

    // Keys: create a gateway key; it is shown once and handed to the terminal.
    await go('keys');
    await page.fill('#create-key input[name=name]', 'e2e browser key');
    await page.fill('#create-key input[name=rpm]', '600');
    await page.click('#create-key button[type=submit]');
    await page.waitForSelector('#new-key');
    const gatewayKey = (await page.textContent('#new-key')) ?? '';
    expect(gatewayKey).toMatch(/^sk-eb-[A-Za-z0-9]{32}$/);
    await page.waitForSelector('td:has-text("e2e browser key")');
    await shot('keys', 'Keys: a new key, shown once');

    // Upstreams: one whose only key is rate-limited (the simulator answers 429, retry-after 90 s).
    await go('upstreams');
    await page.fill('#add-upstream input[name=id]', 'sim-flaky');
    await page.selectOption('#add-upstream select[name=protocol]', 'chat-completions');
    await page.fill('#add-upstream input[name=baseUrl]', s.sim.url);
    await page.fill('#add-upstream input[name=apiKey]', 'sim-key-flaky;fail=429&retry_after=90');
    await page.click('#add-upstream button[type=submit]');
    await page.waitForSelector('h3:has-text("sim-flaky")');

    // Routes: the flaky upstream first (priority 0), the healthy one behind it.
    await go('routes');
    await page.fill('#set-route input[name=model]', 'e2e-model');
    await page.fill('#set-route textarea[name=targets]', `sim-flaky:${UPSTREAM_MODELS.openai}:1:0\nsim-openai:${UPSTREAM_MODELS.openai}:1:1`);
    await page.click('#set-route button[type=submit]');
    await page.waitForSelector('td:has-text("e2e-model")');
    await shot('routes', 'Routes: the new route fails over from sim-flaky to sim-openai');

    // Terminal: stream a prompt; the simulator sends 48 tokens at 60 tokens/s.
    await go('terminal');
    await page.selectOption('#term-model', 'e2e-model');
    await page.selectOption('#term-protocol', 'openai');
    expect(await page.inputValue('#term-key')).toBe(gatewayKey);
    await page.fill('#term-prompt', 'Write a haiku about low latency. [[sim:tps=60&tokens=48]]');
    await page.click('#term-send');
    // Text arrives while the stream is still open…
    await page.waitForFunction(() => (document.getElementById('term-output')?.textContent ?? '').length > 0 && document.getElementById('term-stats')?.textContent?.includes('streaming'));
    const partial = (await page.textContent('#term-output')) ?? '';
    // …and keeps arriving until the end.
    await page.waitForSelector('#term-request-id', { timeout: 30_000 });
    const full = (await page.textContent('#term-output')) ?? '';
    expect(full.length).toBeGreaterThan(partial.length);
    const requestId = ((await page.textContent('#term-request-id')) ?? '').trim();
    expect(requestId).toMatch(/[0-9a-f-]{36}/);
    const record = (await page.textContent('#term-record')) ?? '';
    expect(record).toContain('sim-flaky'); // the failed attempt…
    expect(record).toContain('429');
    expect(record).toContain('sim-openai'); // …and the one that served it
    const cost = /cost\$([0-9.]+)/.exec(record.replace(/\s+/g, ''))?.[1];
    expect(Number(cost)).toBeGreaterThan(0);
    await shot('terminal', 'Terminal: streamed through a failover, with TTFT, tokens/s, attempts and cost');

    // Request log: filter by the model, find the request, open its record.
    await go('requests');
    await page.fill('#filters input[name=model]', 'e2e-model');
    await page.click('#filters button[type=submit]');
    await page.waitForSelector(`a.req[data-id="${requestId}"]`);
    await page.click(`a.req[data-id="${requestId}"]`);
    await page.waitForSelector('#detail pre');
    expect(await page.textContent('#detail pre')).toContain(`"requestId": "${requestId}"`);
    await shot('requests', 'Request log, filtered by model, with one record opened');

    // Usage: the request's cost is in the day's row for the model.
    await go('usage');
    const row = page.locator('tr', { has: page.locator('code', { hasText: 'e2e-model' }) });
    await row.first().waitFor();
    expect(await row.first().locator('.cost').textContent()).toBe(`$${cost}`);
    await shot('usage', 'Usage and cost per day, key and model (CSV export top right)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    const csvPath = join(profile, 'usage.csv');
    await download.saveAs(csvPath);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(csvPath, 'utf8')).toMatch(/e2e browser key,e2e-model,1,/);

    // Upstreams: the 429 put sim-flaky's key in a cooldown, counting down.
    await go('upstreams');
    const cd = page.locator('.countdown').first();
    const before = await cd.textContent();
    await page.waitForFunction((b) => document.querySelector('.countdown')?.textContent !== b, before);
    await shot('upstreams', 'Upstreams: key pools, the rate-limited key cooling down');

    // Some traffic for the overview: a few more streams from the terminal's protocol peers.
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${s.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': gatewayKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'e2e-model', max_tokens: 64, stream: true, messages: [{ role: 'user', content: `hello ${i} [[sim:ttft_ms=${20 * i}]]` }] }),
      });
      await r.text();
    }
    // A hedged route: the first target stalls 1.2 s before its first token, the hedge (after 150 ms) wins.
    await fetch(`${s.url}/admin/upstreams`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'sim-stall', protocol: 'openai', baseUrl: s.sim.url, apiKey: 'sim-key-stall;ttft_ms=1200' }) });
    const hedged = await fetch(`${s.url}/admin/routes`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'e2e-hedged', hedgeAfterMs: 150, targets: [{ upstream: 'sim-stall', model: UPSTREAM_MODELS.openai, priority: 0 }, { upstream: 'sim-openai', model: UPSTREAM_MODELS.openai, priority: 1 }] }),
    });
    expect(hedged.status).toBe(200);
    // Locally a change made through the admin API reaches the gateway at once (local/gateway.ts).
    let won = 0;
    for (let i = 0; won < 3 && i < 3; i++) {
      const r = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'e2e-hedged', stream: true, messages: [{ role: 'user', content: `race ${i}` }] }),
      });
      await r.text();
      if (r.status === 200) won++;
    }
    expect(won).toBe(3);
    await go('overview');
    await page.selectOption('#window', '5');
    await page.waitForFunction(() => /3 won \/ 3 fired/.test(document.querySelector('main')?.textContent ?? ''));
    await page.waitForFunction(() => /requests \/ s/.test(document.querySelector('main')?.textContent ?? ''));
    await page.waitForSelector('.uplot');
    await shot('overview', 'Overview: rates, TTFT per model and upstream, failovers, spend today');
    await go('prices');
    await shot('prices', 'Prices: overrides over the built-in catalog');
    await go('audit');
    await page.waitForSelector('td:has-text("routes.set")');
    expect(await page.textContent('main')).toContain('admin-key:e2e operator');
    await shot('audit', 'Audit trail: who changed what, when');

    const built = await buildConsole(join(profile, 'console-size'));
    writeFileSync(join(docsDir, 'console.md'), doc(built, nav));
  });
});

function doc(built: Awaited<ReturnType<typeof buildConsole>>, nav: { load: number; dcl: number; transferred: number }): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return `# The EzyBus Console

<!-- Written by test/e2e/console.test.ts (headless Chromium against the local gateway); do not edit by hand.
     Refresh it and the screenshots with: EZYBUS_UPDATE_DOCS=1 npm test -- test/e2e/console.test.ts -->

The operator's web console, served at \`/console\` by the admin function: locally by \`npm start\`
(sign in with the admin key it prints), in AWS from the stage's CloudFront distribution
(docs/deploy.md, "Admin API and console"). It reads and changes the stage only through the admin
API (\`/admin/*\`, functions/shared/admin/api.ts), with an admin key kept in the tab's
sessionStorage.

## Size and load time

| file | raw | gzipped |
| --- | ---: | ---: |
${built.files.map((f) => `| ${f.name.replace(/-[A-Z0-9]{8}\./, '-<hash>.')} | ${kb(f.bytes)} | ${kb(f.gzipBytes)} |`).join('\n')}

JavaScript: ${kb(built.jsBytes)} minified, **${kb(built.jsGzipBytes)} gzipped** (budget: 100 KiB gzipped, enforced by
console/build.ts). No framework (a 30-line DOM helper); uPlot draws the charts.

First load on the local server (this run; the machine was shared with other work, so take it as
an order of magnitude): load event at **${Math.round(nav.load)} ms**, DOMContentLoaded at ${Math.round(nav.dcl)} ms, ${kb(nav.transferred)}
transferred (the admin function sends gzip when the browser accepts it).

## Pages

${shotList.map((s) => `### ${s.caption}\n\n![${s.caption}](${s.file})\n`).join('\n')}
## How the figures are made

- **Recent requests** come from a compact row per request that the ledger writes beside each
  usage record (usage table, \`pk=recent#<hour>\`, one more write per request of under 1 KB:
  1 write unit, $0.625 per million requests on demand; rows expire after 30 days). The request
  log and the overview read the hour buckets they need, newest first. One bucket is one
  partition key, which DynamoDB caps near 1,000 writes/s; a stage past that rate would need a
  shard suffix on the bucket (not built).
- **Overview** figures are computed per view from those rows (up to the newest 20,000 in the
  window): requests/s, output tokens/s, TTFT p50/p95 per model and per upstream (the gateway's
  time to first content byte, successful streams), error rate, failover rate (requests that
  needed more than one attempt), hedging (hedges fired and won by the hedge, how long the first
  launch had been silent when the hedge answered, and the hedged requests' TTFT). What a hedge
  win saved is not a measured number: the first launch is aborted, so its own TTFT is never
  known; the silence it had kept up to then is the part that is known.
- **Spend today** sums the ledger's per-key day totals: one small Query per gateway key per view
  (half a read unit each), no extra write on the request path.
- **Usage** reads the same per-key, per-day, per-model totals as \`ezybus usage\`, and exports
  the same CSV.
- **Terminal** measures TTFT and tokens/s in the browser, then fetches the request's usage
  record (by the \`x-request-id\` the gateway returns on every stream) for its attempts, the
  gateway's own TTFT and the cost.
`;
}
