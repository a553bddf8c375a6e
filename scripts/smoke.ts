/**
 * Smoke test for a deployed stage, through CloudFront:
 *
 *   npm run smoke -- --url https://llm.example.com --key sk-eb-… --model claude-sonnet-4-5 [--runs 5]
 *
 * Checks /v1/models, a non-stream completion, and streams on both endpoints: status and SSE
 * headers, that the first bytes are a heartbeat comment sent at acceptance (before the model's
 * first token), time to first byte and to first content, and that nothing compressed or
 * buffered the stream (content arrives in more than one read). Exit 1 on any failed check.
 */
const args = process.argv.slice(2);
const arg = (n: string, d?: string): string => {
  const i = args.indexOf(`--${n}`);
  const v = i === -1 ? d : args[i + 1];
  if (v === undefined) {
    process.stderr.write(`missing --${n}\nUsage: npm run smoke -- --url BASE --key sk-eb-… --model MODEL [--runs N]\n`);
    process.exit(2);
  }
  return v;
};
const base = arg('url').replace(/\/+$/, '');
const key = arg('key');
const model = arg('model');
const runs = Number(arg('runs', '3'));
let failed = 0;
const check = (ok: boolean, what: string): void => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${what}\n`);
  if (!ok) failed++;
};

async function timedStream(path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Headers; firstByte: number; firstContent: number; reads: number; startsWithPing: boolean }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  let firstByte = NaN;
  let firstContent = NaN;
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    const now = performance.now() - t0;
    if (Number.isNaN(firstByte)) firstByte = now;
    text += dec.decode(value, { stream: true });
    if (Number.isNaN(firstContent) && /data: /.test(text)) firstContent = now;
  }
  return { status: res.status, headers: res.headers, firstByte, firstContent, reads, startsWithPing: text.startsWith(':') };
}

const t0 = performance.now();
const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
check(models.ok, `GET /v1/models → ${models.status} in ${(performance.now() - t0).toFixed(0)} ms`);
const list = (await models.json().catch(() => ({}))) as { data?: { id: string }[] };
check(!!list.data?.some((m) => m.id === model), `${model} is listed`);

const n0 = performance.now();
const ns = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'Say OK.' }] }) });
check(ns.ok, `non-stream chat completion → ${ns.status} in ${(performance.now() - n0).toFixed(0)} ms, cost ${ns.headers.get('x-ezybus-cost-usd') ?? '?'} USD`);
await ns.text();

for (const [path, headers, body] of [
  ['/v1/chat/completions', { authorization: `Bearer ${key}` }, { model, stream: true, max_tokens: 200, messages: [{ role: 'user', content: 'Count from 1 to 30.' }] }],
  ['/v1/messages', { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, { model, stream: true, max_tokens: 200, messages: [{ role: 'user', content: 'Count from 1 to 30.' }] }],
] as const) {
  const ttfb: number[] = [];
  const ttfc: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timedStream(path, body, headers);
    if (i === 0) {
      check(r.status === 200, `${path} stream → ${r.status}`);
      check((r.headers.get('content-type') ?? '').startsWith('text/event-stream'), `${path}: content-type text/event-stream`);
      check(r.headers.get('x-accel-buffering') === 'no', `${path}: x-accel-buffering: no`);
      check(!r.headers.get('content-encoding'), `${path}: not compressed on the way`);
      check(r.startsWithPing, `${path}: a heartbeat comment first, at acceptance`);
      check(r.reads > 2, `${path}: delivered in ${r.reads} reads (not buffered)`);
    }
    ttfb.push(r.firstByte);
    ttfc.push(r.firstContent);
  }
  const med = (a: number[]): string => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(0);
  process.stdout.write(`      ${path}: median first byte ${med(ttfb)} ms, first content ${med(ttfc)} ms over ${runs} runs\n`);
}
process.exit(failed ? 1 : 0);
export {};
