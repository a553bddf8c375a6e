/**
 * `node --import tsx test/bench/relay-js.ts [--rounds N]` — the relay's own JavaScript per
 * streamed chunk, in-process and hot: the simulator's Anthropic stream (recorded once at start,
 * one event per read, as the simulator sends it with gaps) pushed through the translation to a
 * Chat Completions client (protocol/translate.ts) and through the pass-through usage tap
 * (gateway/usage-tap.ts), 300 text deltas a stream, CPU per delta. No sockets and no sleeping
 * between chunks, so this is the floor of what a chunk's parse, translation and usage reading
 * cost, not what a gateway process spends per chunk (`cpu-per-chunk.ts` measures that): use it to
 * compare a change to that code before and after.
 */
import { createStreamTranslation } from '../../functions/shared/protocol/translate.js';
import { createUsageTap } from '../../functions/shared/gateway/usage-tap.js';
import { adapterFor } from '../../functions/shared/protocol/registry.js';
import { startSimulator } from '../../local/sim/server.js';

const argv = process.argv.slice(2);
const ROUNDS = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 5;
const DELTAS = 300;
const STREAMS = 1000;

const sim = await startSimulator({ host: '127.0.0.1', port: 0, seed: 1, record: false });
const res = await fetch(`${sim.url}/v1/messages`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': 'sim-bench-key', 'anthropic-version': '2023-06-01' },
  body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Say hello [[sim:tokens=20&gap_ms=1]]' }] }),
});
const chunks: Buffer[] = [];
for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
await sim.close();
// message_start+ping, content_block_start, 20 text deltas, then the block's stop, message_delta, message_stop.
const head = chunks.slice(0, 2);
const deltas = chunks.filter((c) => c.includes('"content_block_delta"'));
const tail = chunks.slice(2 + deltas.length);
if (deltas.length < 10 || tail.length === 0) throw new Error(`unexpected simulator stream: ${chunks.length} reads`);

const request = { model: 'bench-claude', messages: [{ role: 'user', content: 'Say hello' }], stream: true };
const translated = (): number => {
  const t = createStreamTranslation('chat-completions', 'messages', { upstreamModel: 'claude-sonnet-4-5', publicModel: 'bench-claude', stream: true, maxTokensDefault: 4096, request, onUsage: () => undefined });
  let n = 0;
  for (const c of head) n += t.push(c)?.length ?? 0;
  for (let i = 0; i < DELTAS; i++) n += t.push(deltas[i % deltas.length] as Buffer)?.length ?? 0;
  for (const c of tail) n += t.push(c)?.length ?? 0;
  return n + (t.end()?.length ?? 0);
};
const passThrough = (): number => {
  const tap = createUsageTap(adapterFor('messages').usage.reader());
  for (const c of head) tap.push(c);
  for (let i = 0; i < DELTAS; i++) tap.push(deltas[i % deltas.length] as Buffer);
  for (const c of tail) tap.push(c);
  return tap.result().usage?.outputTokens ?? 0;
};

const out: Record<string, { medianNsPerChunk: number; rounds: number[] }> = {};
for (const [name, f] of [['translated (messages upstream → chat-completions client)', translated], ['pass-through usage tap (messages)', passThrough]] as const) {
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
