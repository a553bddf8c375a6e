/**
 * How a Web Function environment runs EzyBus, from process start to exit (AWS Lambda docs, Web
 * Functions "Execution environment lifecycle" and "Environment variables"):
 *
 * - listen on AWS_LAMBDA_HTTP_ENDPOINT (host:port) at once — Lambda allows 10 s; nothing is
 *   loaded first, caches fill on first use;
 * - the gateway's total deadline must sit below the revision's timeout, so a request ends with
 *   the gateway's own error event rather than a silent cut by the platform;
 * - on SIGTERM: stop accepting, drain (every in-flight stream gets a protocol error event and a
 *   clean end, its usage record is written), flush stdout (the log line is the durable record),
 *   exit — all inside the grace (about one second after SIGTERM).
 */
import { gatewayConfig } from '../config.js';
import { log } from '../logging/log.js';
import type { StreamingHandler } from './awslambda.js';
import { edgeMetricFields } from './edge-metrics.js';
import { startWebServer, type WebServer } from './web-server.js';

export interface WebFunctionSettings {
  host: string;
  port: number;
  /** The revision's timeout (EZYBUS_REVISION_TIMEOUT_MS; the stack sets it from the revision). */
  timeoutMs: number;
  /** Time from SIGTERM to exit (EZYBUS_SHUTDOWN_GRACE_MS). */
  graceMs: number;
}

/** Margin kept between the gateway's total deadline and the revision's timeout. */
export const DEADLINE_MARGIN_MS = 30_000;

export function webSettings(env: NodeJS.ProcessEnv): WebFunctionSettings {
  const endpoint = env.AWS_LAMBDA_HTTP_ENDPOINT ?? '127.0.0.1:8080';
  const sep = endpoint.lastIndexOf(':');
  const port = Number(endpoint.slice(sep + 1));
  if (sep <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`AWS_LAMBDA_HTTP_ENDPOINT is not host:port: ${endpoint}`);
  const num = (name: string, dflt: number): number => {
    const v = env[name];
    const n = v === undefined || v === '' ? dflt : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds`);
    return n;
  };
  return { host: endpoint.slice(0, sep).replace(/^\[|\]$/g, ''), port, timeoutMs: num('EZYBUS_REVISION_TIMEOUT_MS', 900_000), graceMs: num('EZYBUS_SHUTDOWN_GRACE_MS', 800) };
}

/** Refuses a configuration in which the platform, not the gateway, would end a long stream. */
export function checkDeadlines(s: WebFunctionSettings, totalTimeoutMs: number): void {
  if (totalTimeoutMs > s.timeoutMs - DEADLINE_MARGIN_MS) {
    throw new Error(`EZYBUS_TOTAL_TIMEOUT_MS (${totalTimeoutMs} ms) must be at least ${DEADLINE_MARGIN_MS} ms below the revision's timeout (${s.timeoutMs} ms)`);
  }
}

const flushStdout = (): Promise<void> => new Promise((resolve) => process.stdout.write('', () => resolve()));

export async function runWebFunction(routes: Record<string, StreamingHandler>, env: NodeJS.ProcessEnv = process.env): Promise<WebServer> {
  const s = webSettings(env);
  checkDeadlines(s, gatewayConfig().totalTimeoutMs);
  // Only the stage name goes into the metric fields (the config object itself never nears a log call).
  const stage = gatewayConfig().stage;
  const web = await startWebServer({
    host: s.host,
    port: s.port,
    routes,
    timeoutMs: s.timeoutMs,
    ...(env.AWS_LAMBDA_FUNCTION_NAME ? { functionName: env.AWS_LAMBDA_FUNCTION_NAME } : {}),
    // Counted as EdgeErrors: the stage's error-rate alarm reads it (Lambda's `Errors` has no Web Functions twin).
    onProblem: (message, requestId) => log('error', message, { requestId, ...edgeMetricFields(stage, 'EdgeErrors') }),
  });
  process.once('SIGTERM', () => {
    void (async () => {
      const report = await web.shutdown(s.graceMs);
      // A cut request's log line may be missing: name it, so the gap can be found.
      log(report.cut.length ? 'error' : 'info', 'web function shut down', { finished: report.finished, cut: report.cut, ...edgeMetricFields(stage, 'ShutdownCuts', report.cut.length) });
      await flushStdout();
      process.exit(0);
    })();
  });
  return web;
}
