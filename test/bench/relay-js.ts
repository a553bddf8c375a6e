/**
 * `node --import tsx test/bench/relay-js.ts [--rounds N] [--only SUBSTRING]` — the relay's own
 * JavaScript per streamed chunk, in-process and hot. For each upstream protocol the simulator's
 * stream is recorded once at start (one event per read, as the simulator sends it with gaps) and
 * pushed, 300 text deltas a stream, through what a gateway runs on it: the pass-through usage tap
 * (gateway/usage-tap.ts) or a translation to another client protocol (protocol/translate.ts).
 * CPU per delta. The rows are the per-chunk rows of the benchmark (`cpu-per-chunk.ts`), minus the
 * sockets. No sockets and no sleeping between chunks, so this is the floor of what a chunk's parse,
 * translation and usage reading cost, not what a gateway process spends per chunk: use it to
 * compare a change to that code before and after.
 */
import { createStreamTranslation } from '../../functions/shared/protocol/translate.js';
import { createUsageTap } from '../../functions/shared/gateway/usage-tap.js';
import { adapterFor } from '../../functions/shared/protocol/registry.js';
import type { J } from '../../functions/shared/protocol/json.js';
import type { WireProtocol } from '../../functions/shared/protocol/wire.js';
import { startSimulator } from '../../local/sim/server.js';

const argv = process.argv.slice(2);
const ROUNDS = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 5;
const ONLY = argv.includes('--only') ? String(argv[argv.indexOf('--only') + 1]) : '';
const DELTAS = 300;
const STREAMS = 1000;
const PROMPT = 'Say hello [[sim:tokens=20&gap_ms=1]]';

interface Recorded {
  head: Buffer[];
  deltas: Buffer[];
  tail: Buffer[];
}
type Upstream = 'messages' | 'chat-completions' | 'responses';
const calls: Record<Upstream, { path: string; headers: Record<string, string>; body: unknown; delta: string }> = {
  messages: {
    path: '/v1/messages',
    headers: { 'x-api-key': 'sim-bench-key', 'anthropic-version': '2023-06-01' },
    body: { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: PROMPT }] },
    delta: '"content_block_delta"',
  },
  'chat-completions': {
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer sim-bench-key' },
    body: { model: 'gpt-4.1-nano', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: PROMPT }] },
    delta: '"delta":{"content"',
  },
  responses: {
    path: '/v1/responses',
    headers: { authorization: 'Bearer sim-bench-key' },
    body: { model: 'gpt-4.1-nano', stream: true, input: PROMPT },
    delta: 'response.output_text.delta',
  },
};

const sim = await startSimulator({ host: '127.0.0.1', port: 0, seed: 1, record: false });
const recorded = {} as Record<Upstream, Recorded>;
for (const [up, c] of Object.entries(calls) as [Upstream, (typeof calls)[Upstream]][]) {
  const res = await fetch(`${sim.url}${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body: JSON.stringify(c.body) });
  const chunks: Buffer[] = [];
  for await (const b of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(b));
  const first = chunks.findIndex((b) => b.includes(c.delta));
  let last = first;
  while (last + 1 < chunks.length && (chunks[last + 1] as Buffer).includes(c.delta)) last++;
  const rec = { head: chunks.slice(0, first), deltas: chunks.slice(first, last + 1), tail: chunks.slice(last + 1) };
  if (first < 0 || rec.deltas.length < 10 || rec.tail.length === 0) throw new Error(`unexpected simulator stream for ${up}: ${chunks.length} reads`);
  recorded[up] = rec;
}
await sim.close();

const feed = (rec: Recorded, push: (b: Buffer) => void): void => {
  for (const c of rec.head) push(c);
  for (let i = 0; i < DELTAS; i++) push(rec.deltas[i % rec.deltas.length] as Buffer);
  for (const c of rec.tail) push(c);
};
const requests: Partial<Record<WireProtocol, J>> = {
  'chat-completions': { model: 'bench-model', messages: [{ role: 'user', content: 'Say hello' }], stream: true },
  responses: { model: 'bench-model', input: 'Say hello', stream: true },
};
const translated =
  (client: WireProtocol, upstream: Upstream, upstreamModel: string) =>
  (): number => {
    const request = requests[client] ?? {};
    const t = createStreamTranslation(client, upstream, { upstreamModel, publicModel: 'bench-model', stream: true, maxTokensDefault: 4096, request, onUsage: () => undefined });
    let n = 0;
    feed(recorded[upstream], (b) => (n += t.push(b)?.length ?? 0));
    return n + (t.end()?.length ?? 0);
  };
const passThrough = (upstream: Upstream) => (): number => {
  const tap = createUsageTap(adapterFor(upstream).usage.reader());
  feed(recorded[upstream], (b) => tap.push(b));
  return tap.result().usage?.outputTokens ?? 0;
};

const rows: [string, () => number][] = [
  ['translated (messages upstream → chat-completions client)', translated('chat-completions', 'messages', 'claude-sonnet-4-5')],
  ['pass-through usage tap (messages)', passThrough('messages')],
  ['pass-through usage tap (chat-completions)', passThrough('chat-completions')],
  ['pass-through usage tap (responses)', passThrough('responses')],
  ['translated (messages upstream → responses client)', translated('responses', 'messages', 'claude-sonnet-4-5')],
  ['translated (chat-completions upstream → responses client)', translated('responses', 'chat-completions', 'gpt-4.1-nano')],
];
const out: Record<string, { medianNsPerChunk: number; rounds: number[] }> = {};
for (const [name, f] of rows) {
  if (ONLY && !name.includes(ONLY)) continue;
  if (f() === 0) throw new Error(`${name}: produced nothing`);
  for (let w = 0; w < 300; w++) f(); // JIT warm-up
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < STREAMS; i++) f();
    const d = process.cpuUsage(t0);
    rounds.push(Math.round(((d.user + d.system) * 1000) / (STREAMS * DELTAS)));
  }
  const sorted = [...rounds].sort((a, b) => a - b);
  out[name] = { medianNsPerChunk: sorted[Math.floor(sorted.length / 2)] as number, rounds };
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
