/**
 * scripts/hot-path.ts's `--runtime-floor` process: the bare proxy hop (test/bench/proxy-proc.ts:
 * no parsing, no auth, bytes relayed) as a streaming handler inside the local Function URL
 * runtime that EzyBus runs in. Its CPU per request minus the bare hop's is what the Lambda
 * stand-in itself costs (event, response stream, prelude); EzyBus's minus this one is the
 * gateway's own work.
 */
import { writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { StreamingHandler } from '../functions/shared/runtime/awslambda.js';
import { installLocalAwsLambda, startLocalRuntime } from '../local/runtime.js';

installLocalAwsLambda();
const target = new URL(process.env.BENCH_TARGET as string);
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const hop: StreamingHandler = awslambda.streamifyResponse(
  (event, stream) =>
    new Promise<void>((resolve) => {
      const up = request({ host: target.hostname, port: target.port, path: event.rawPath, method: event.requestContext.http.method, headers: { ...event.headers, host: target.host }, agent }, (ur) => {
        const out = awslambda.HttpResponseStream.from(stream, { statusCode: ur.statusCode ?? 502, headers: { 'content-type': String(ur.headers['content-type'] ?? 'application/json') } });
        ur.pipe(out);
        out.on('finish', () => resolve());
      });
      up.on('error', () => {
        stream.end();
        resolve();
      });
      up.end(event.body ?? '');
    }),
);
const rt = await startLocalRuntime({ routes: { '/v1/chat/completions': hop } });
writeSync(3, JSON.stringify({ url: rt.url }) + '\n');
process.once('SIGTERM', () => process.exit(0));
