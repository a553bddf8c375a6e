/**
 * Benchmark child: EzyBus in the local Function URL runtime, running the esbuild bundles Lambda
 * runs (BENCH_BUNDLES) on an existing store (BENCH_DYNAMO) and keyring (BENCH_KEYRING).
 */
import { writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startLocalGateway } from '../../local/gateway.js';
import type { StreamingHandler } from '../../functions/shared/runtime/awslambda.js';
import { installLocalAwsLambda } from '../../local/runtime.js';

const dir = process.env.BENCH_BUNDLES;
installLocalAwsLambda(); // the bundles call awslambda.streamifyResponse at module init
const loadHandlers = dir
  ? async (): Promise<Record<string, StreamingHandler>> => {
      const load = async (f: string): Promise<StreamingHandler> => ((await import(join(dir, f))) as { handler: StreamingHandler }).handler;
      return { '/v1/chat/completions': await load('chat-completions.mjs'), '/v1/messages': await load('messages.mjs'), '/v1/models': await load('models.mjs'), '/v1/responses': await load('responses.mjs') };
    }
  : undefined;
const gw = await startLocalGateway({
  dynamoEndpoint: process.env.BENCH_DYNAMO as string,
  keyringPath: process.env.BENCH_KEYRING as string,
  env: JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>,
  ...(loadHandlers ? { loadHandlers } : {}),
  // BENCH_MODE=web: the same bundles behind the Web Functions edge (compute-modes.ts).
  mode: process.env.BENCH_MODE === 'web' ? 'web' : 'furl',
});
// The benchmark's way to know a phase's work is done: invocations still running (a Lambda
// invocation runs on after its response ends while it writes the usage record).
// Its memory too: whether what RSS keeps after overload is live JavaScript objects or pages the
// allocators hold (run.ts, "Memory after overload").
const stats = createServer((_req, res) => res.end(JSON.stringify({ inflight: gw.runtime.inflight(), memory: process.memoryUsage() })));
await new Promise<void>((r) => stats.listen(0, '127.0.0.1', r));
writeSync(3, JSON.stringify({ url: gw.url, stats: `http://127.0.0.1:${(stats.address() as AddressInfo).port}` }) + '\n');
// Exit within a second even when a keep-alive client holds a socket open, so that the harness's
// SIGKILL three seconds later never lands first: exit runs what a --cpu-prof run writes at exit.
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(0), 1000).unref();
  void gw.close().then(() => process.exit(0));
});
