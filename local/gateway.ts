/**
 * The whole gateway on one machine: an embedded DynamoDB-compatible store (dynalite, on disk or
 * in memory), the local keyring in place of KMS, and the Lambda handlers — the same modules
 * Lambda loads, the admin API and console (/admin, /console) included — served by the local
 * Function URL runtime, or (mode 'web') by the Web Functions edge, one Node server for every
 * endpoint as a Web Function runs them. Used by `npm start` and by the integration tests.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { ENDPOINTS, routeTable, type EndpointKey } from '../functions/endpoints.js';
import { resetGatewayConfig } from '../functions/shared/config.js';
import { resetKeyring } from '../functions/shared/crypto/keyring.js';
import { resetAuthCache } from '../functions/shared/gateway/auth.js';
import { resetLimits } from '../functions/shared/gateway/limits.js';
import { resetPricing } from '../functions/shared/gateway/pricing.js';
import { resetRoutes } from '../functions/shared/gateway/routes.js';
import { installLocalAwsLambda, startLocalRuntime, type LocalRuntime } from './runtime.js';
import type { StreamingHandler } from '../functions/shared/runtime/awslambda.js';
import { startWebServer } from '../functions/shared/runtime/web-server.js';
import { startWebProcess } from './web-process.js';
import { resetDynamo } from '../functions/shared/store/dynamo.js';
import { ensureTables } from '../functions/shared/store/tables.js';
import { flushHealthWrites } from '../functions/shared/upstream/health.js';
import { resetPools } from '../functions/shared/upstream/pool.js';
import { addLogTap } from '../functions/shared/logging/log.js';
import { startLedgerFeed, type LedgerFeed } from './ledger-feed.js';

export interface LocalGatewayOptions {
  host?: string;
  port?: number;
  /** Directory for dynalite's files and the keyring; undefined keeps the store in memory. */
  dataDir?: string;
  /** Keyring file; defaults to <dataDir>/master.key or a temp path for in-memory stores. */
  keyringPath?: string;
  stage?: string;
  /** Extra EZYBUS_* settings (heartbeat, timeouts, limits) for the handlers. */
  env?: Record<string, string>;
  functionTimeoutMs?: number;
  /**
   * Where the handlers come from; default: the TypeScript sources. Benchmarks pass the esbuild
   * bundles (dist/functions/*.mjs) to measure exactly what Lambda runs.
   */
  loadHandlers?: () => Promise<Record<string, StreamingHandler>>;
  /** Use a store that is already running (a second gateway instance on the same tables). */
  dynamoEndpoint?: string;
  /** The compute mode to serve the handlers in; default 'furl' (one runtime per Function URL). */
  mode?: ComputeMode;
  /**
   * Web mode only: run the Web Functions entry in its own process, exactly as Lambda starts it
   * (`ezybus serve --mode web`), instead of the same edge in this process (the tests).
   */
  webProcess?: boolean;
}

export type ComputeMode = 'furl' | 'web';

/** What the gateway's server offers in either mode. */
export type LocalServer = Pick<LocalRuntime, 'url' | 'port' | 'inflight' | 'settled' | 'close'> & {
  /** The HTTP server, when it runs in this process. */
  server?: Server;
};

export interface LocalGateway {
  url: string;
  mode: ComputeMode;
  runtime: LocalServer;
  dynamoEndpoint: string;
  /** The embedded store's HTTP server (tests watch the DynamoDB calls it receives). */
  storeServer: Server | undefined;
  /** The in-process ledger writer fed by this process's log lines; `flush()` waits for it. */
  ledger: LedgerFeed;
  close(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Points this process's gateway modules at a store; forgets every cache built against another. */
export function configureProcess(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  resetGatewayConfig();
  resetDynamo();
  resetKeyring();
  resetAuthCache();
  resetRoutes();
  resetPools();
  resetPricing();
  resetLimits();
}

export async function startStore(
  host: string,
  dataDir: string | undefined,
): Promise<{ endpoint: string; server: Server; close(): Promise<void> }> {
  const store = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}) });
  const port = await listen(store, host);
  return {
    endpoint: `http://${host}:${port}`,
    server: store,
    close: () => new Promise<void>((resolve) => store.close(() => resolve())),
  };
}

export async function startLocalGateway(opts: LocalGatewayOptions = {}): Promise<LocalGateway> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const store = opts.dynamoEndpoint
    ? { endpoint: opts.dynamoEndpoint, server: undefined, close: async () => undefined }
    : await startStore(host, opts.dataDir);
  configureProcess({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    EZYBUS_DYNAMODB_ENDPOINT: store.endpoint,
    EZYBUS_STAGE: opts.stage ?? 'local',
    EZYBUS_LOCAL_KEYRING:
      opts.keyringPath ?? (opts.dataDir ? join(opts.dataDir, 'master.key') : join(process.env.TMPDIR ?? '/tmp', `ezybus-keyring-${process.pid}`)),
    ...opts.env,
  });
  await ensureTables();
  // Lambda installs the global before it loads a handler module; so do we.
  installLocalAwsLambda();
  const ledger = startLedgerFeed({ intervalMs: Number(process.env.EZYBUS_LEDGER_FLUSH_MS ?? 200) });
  // Benchmarks of the request path alone may leave the writer out (in AWS it is another Lambda).
  const untap = process.env.EZYBUS_LOCAL_LEDGER === 'off' ? () => undefined : addLogTap((line) => ledger.push(line));
  const routes = await (opts.loadHandlers ?? loadSourceHandlers)();
  if (routes['/admin']) {
    routes['/console'] = consoleRoute(routes['/admin'], opts.dataDir);
    routes['/admin'] = freshAfterWrites(routes['/admin']);
  }
  const mode = opts.mode ?? 'furl';
  const runtime: LocalServer =
    mode === 'web' && opts.webProcess
      ? await webProcessServer(host, opts.port ?? 0)
      : mode === 'web'
      ? await startWebServer({
          host,
          port: opts.port ?? 0,
          routes,
          timeoutMs: opts.functionTimeoutMs ?? 15 * 60_000,
          onProblem: (m) => process.stderr.write(`[web-edge] ${m}\n`),
        })
      : await startLocalRuntime({
          host,
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          routes,
          // CloudFront's default behaviour sends every other path to the models function.
          ...(routes['/v1/models*'] ? { fallback: routes['/v1/models*'] } : {}),
          ...(opts.functionTimeoutMs !== undefined ? { functionTimeoutMs: opts.functionTimeoutMs } : {}),
          onViolation: (m) => process.stderr.write(`[local-runtime] ${m}\n`),
        });
  return {
    url: runtime.url,
    mode,
    runtime,
    dynamoEndpoint: store.endpoint,
    storeServer: store.server,
    ledger,
    async close() {
      await runtime.close();
      await flushHealthWrites();
      await ledger.close();
      untap();
      resetDynamo();
      await store.close();
    },
  };
}

/**
 * The Web Functions entry in a child process, with what configureProcess set here as its
 * environment (as the stack sets a revision's). Its running requests are its own business: the
 * parent only starts it and sends SIGTERM.
 */
async function webProcessServer(host: string, port: number): Promise<LocalServer> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (k.startsWith('EZYBUS_') || k.startsWith('AWS_'))) env[k] = v;
  const p = await startWebProcess({ host, port, env, onLine: (line) => process.stdout.write(`${line}\n`) });
  return { url: p.url, port: p.port, inflight: () => 0, settled: async () => undefined, close: () => p.close() };
}

async function loadSourceHandlers(): Promise<Record<string, StreamingHandler>> {
  // Every endpoint in the list the stack and the bundler read (functions/endpoints.ts).
  const loaded = new Map(
    await Promise.all(
      ENDPOINTS.map(async (e) => [e.key, ((await import(new URL(`../${e.entry.replace(/\.ts$/, '.js')}`, import.meta.url).href)) as { handler: StreamingHandler }).handler] as const),
    ),
  );
  // The admin API and console: not an endpoint of the gateway list (its own construct in the stack).
  const admin = await import('../functions/admin.js');
  return { ...routeTable((e) => loaded.get(e.key as EndpointKey) as StreamingHandler), '/admin': admin.handler };
}

/**
 * Locally the admin API and the gateway share one process, so a change made in the console
 * (a route, a key, a price) can reach the gateway at once instead of after the cache TTL, as an
 * operator trying it in the terminal expects. In AWS they are separate functions and the TTL
 * applies. (Dropping the pools drops this process's own view of key health too; the shared one
 * in the store is read again within its 2 s cache.)
 */
function freshAfterWrites(admin: StreamingHandler): StreamingHandler {
  return awslambda.streamifyResponse(async (event, stream, context) => {
    await admin(event, stream, context);
    if (event.requestContext.http.method !== 'GET') {
      resetRoutes();
      resetAuthCache();
      resetPricing();
      resetPools();
    }
  });
}

/** The admin function serves /console too; locally the files are built on the first visit. */
function consoleRoute(admin: StreamingHandler, dataDir: string | undefined): StreamingHandler {
  const dir = process.env.EZYBUS_CONSOLE_DIR ?? join(dataDir ?? join(process.env.TMPDIR ?? '/tmp', `ezybus-${process.pid}`), 'console');
  process.env.EZYBUS_CONSOLE_DIR = dir;
  let built: Promise<unknown> | undefined;
  return awslambda.streamifyResponse(async (event, stream, context) => {
    built ??= import('../console/build.js').then((b) => b.buildConsole(dir));
    await built;
    return admin(event, stream, context);
  });
}

/** True when something already listens on host:port. */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, host, () => s.close(() => resolve(false)));
  });
}
