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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { ENDPOINTS, routeTable, type EndpointKey } from '../functions/endpoints.js';
import { readConfig } from '../functions/shared/config.js';
import { createGateway, forgetStoreViews, installGateway, type Gateway } from '../functions/shared/context.js';
import { installLocalAwsLambda, startLocalRuntime, type LocalRuntime } from './runtime.js';
import type { StreamingHandler } from '../functions/shared/runtime/awslambda.js';
import { startWebServer } from '../functions/shared/runtime/web-server.js';
import { startWebProcess } from './web-process.js';
import { ensureTables } from '../functions/shared/store/tables.js';
import { flushHealthWrites } from '../functions/shared/upstream/health.js';
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
  /**
   * Extra EZYBUS_* settings (heartbeat, timeouts, limits) for the handlers: the environment the
   * gateway's config is read from, as a Lambda function's would be (never this process's own).
   */
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
  /** The config and caches the handlers use (installed for this process while it serves). */
  gateway: Gateway;
  close(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * A gateway built from `env` (an environment-shaped record, read as a Lambda function reads its
 * environment) and installed for this process: every cache starts empty, with nothing of the
 * gateway it replaces. `process.env` is neither read nor written.
 */
export function installConfig(env: Record<string, string>): Gateway {
  return installGateway(createGateway(readConfig(env)));
}

/** What a local gateway's handlers see as their environment: the local store, keyring and credentials, then `extra`. */
export function localEnv(o: { dynamoEndpoint: string; keyringPath: string; stage?: string | undefined; extra?: Record<string, string> | undefined }): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    EZYBUS_DYNAMODB_ENDPOINT: o.dynamoEndpoint,
    EZYBUS_STAGE: o.stage ?? 'local',
    EZYBUS_LOCAL_KEYRING: o.keyringPath,
    ...o.extra,
  };
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
  const env = localEnv({
    dynamoEndpoint: store.endpoint,
    stage: opts.stage,
    keyringPath: opts.keyringPath ?? (opts.dataDir ? join(opts.dataDir, 'master.key') : join(tmpdir(), `ezybus-keyring-${process.pid}`)),
    extra: opts.env,
  });
  // Before the handlers load: their entries then find a gateway and read no environment.
  const gateway = installConfig(env);
  await ensureTables();
  // Lambda installs the global before it loads a handler module; so do we.
  installLocalAwsLambda();
  const ledger = startLedgerFeed({ intervalMs: Number(env.EZYBUS_LEDGER_FLUSH_MS ?? 200) });
  // Benchmarks of the request path alone may leave the writer out (in AWS it is another Lambda).
  const untap = env.EZYBUS_LOCAL_LEDGER === 'off' ? () => undefined : addLogTap((line) => ledger.push(line));
  // The admin function serves the console from here; locally it is built on the first visit.
  const consoleDir = join(opts.dataDir ?? join(tmpdir(), `ezybus-${process.pid}`), 'console');
  const routes = await (opts.loadHandlers ?? (() => loadSourceHandlers(consoleDir)))();
  if (routes['/admin']) {
    routes['/console'] = consoleRoute(routes['/admin'], consoleDir);
    routes['/admin'] = freshAfterWrites(routes['/admin'], gateway);
  }
  const mode = opts.mode ?? 'furl';
  const runtime: LocalServer =
    mode === 'web' && opts.webProcess
      ? await webProcessServer(host, opts.port ?? 0, env)
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
    gateway,
    async close() {
      await runtime.close();
      await flushHealthWrites();
      await ledger.close();
      untap();
      await store.close();
    },
  };
}

/**
 * The Web Functions entry in a child process, with the environment this gateway's config was
 * read from as its own (as the stack sets a revision's). Its running requests are its own
 * business: the parent only starts it and sends SIGTERM.
 */
async function webProcessServer(host: string, port: number, env: Record<string, string>): Promise<LocalServer> {
  const p = await startWebProcess({ host, port, env, onLine: (line) => process.stdout.write(`${line}\n`) });
  return { url: p.url, port: p.port, inflight: () => 0, settled: async () => undefined, close: () => p.close() };
}

async function loadSourceHandlers(consoleDir: string): Promise<Record<string, StreamingHandler>> {
  // Every endpoint in the list the stack and the bundler read (functions/endpoints.ts).
  const loaded = new Map(
    await Promise.all(
      ENDPOINTS.map(async (e) => [e.key, ((await import(new URL(`../${e.entry.replace(/\.ts$/, '.js')}`, import.meta.url).href)) as { handler: StreamingHandler }).handler] as const),
    ),
  );
  // The admin API and console: not an endpoint of the gateway list (its own construct in the stack).
  const { adminHandler } = await import('../functions/admin.js');
  return { ...routeTable((e) => loaded.get(e.key as EndpointKey) as StreamingHandler), '/admin': awslambda.streamifyResponse(adminHandler(consoleDir)) };
}

/**
 * Locally the admin API and the gateway share one process, so a change made in the console
 * (a route, a key, a price) can reach the gateway at once instead of after the cache TTL, as an
 * operator trying it in the terminal expects. In AWS they are separate functions and the TTL
 * applies. (Dropping the pools drops this process's own view of key health too; the shared one
 * in the store is read again within its 2 s cache.)
 */
function freshAfterWrites(admin: StreamingHandler, gateway: Gateway): StreamingHandler {
  return awslambda.streamifyResponse(async (event, stream, context) => {
    await admin(event, stream, context);
    if (event.requestContext.http.method !== 'GET') forgetStoreViews(gateway);
  });
}

/** The admin function serves /console too; locally the files are built on the first visit. */
function consoleRoute(admin: StreamingHandler, dir: string): StreamingHandler {
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
