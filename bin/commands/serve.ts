/** `ezybus serve`: the gateway on this machine (embedded store, local keyring, simulator). */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listRoutes, listUpstreams } from '../../functions/shared/store/repo.js';
import { DEMO_MODELS, firstRun } from '../../local/first-run.js';
import { portInUse, startLocalGateway } from '../../local/gateway.js';
import { addUpstream } from '../../functions/shared/admin/ops.js';
import { int, one, print, UsageError, type Command } from '../cli/command.js';

/**
 * The operator's EZYBUS_* settings (timeouts, limits, log level) for the local handlers — this
 * command is the edge that reads the shell's environment. The store, keyring and stage are the
 * local gateway's own.
 */
function settingsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const own = new Set(['EZYBUS_DYNAMODB_ENDPOINT', 'EZYBUS_LOCAL_KEYRING', 'EZYBUS_STAGE']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k.startsWith('EZYBUS_') && !own.has(k)) out[k] = v;
  return out;
}

/** With EZYBUS_LOKI_URL set, the local server's log lines also go straight to Loki. */
async function lokiSink(): Promise<{ close(): Promise<void> } | undefined> {
  if (!process.env.EZYBUS_LOKI_URL) return undefined;
  const { createLokiExporter } = await import('../../functions/shared/loki/exporter.js');
  const { shipperConfig } = await import('../../functions/shared/loki/config.js');
  const { setLogSink } = await import('../../functions/shared/logging/log.js');
  const c = shipperConfig({ ...process.env, EZYBUS_STAGE: 'local' });
  const { tenantLimits } = await import('../../functions/shared/loki/limits.js');
  const l = tenantLimits();
  const exporter = createLokiExporter({
    url: c.url,
    tenant: c.tenant,
    auth: c.auth,
    stage: 'local',
    maxBatchBytes: l.maxPushBytes,
    maxBatchEntries: l.maxPushEntries,
    maxLineBytes: l.maxLineBytes,
    metadata: { maxValueBytes: l.maxMetadataValueBytes, maxTotalBytes: l.maxMetadataBytes },
    onError: (e) => process.stderr.write(`[loki] ${e.message}\n`),
  });
  setLogSink((line) => {
    process.stdout.write(line + '\n');
    exporter.push(line);
  });
  return exporter;
}

export const command: Command = {
  help: `Usage: ezybus serve [--host 127.0.0.1] [--port 8080] [--data .ezybus] [--sim-port 8090] [--mode furl|web]

Starts the Lambda handlers in the local Function URL runtime (--mode web: the Web Functions
server, one Node process for every endpoint, started as Lambda starts it), with dynalite as the store
and a local AES-256-GCM keyring. First run creates a gateway key (printed once) and, when no
OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY is set, demo routes to the simulator.`,
  opensOwnStore: true,
  actions: {
    options: { host: { type: 'string' }, port: { type: 'string' }, 'sim-port': { type: 'string' }, mode: { type: 'string' } },
    async run(a) {
      const host = one(a, 'host') ?? '127.0.0.1';
      const port = int(a, 'port') ?? 8080;
      const simPort = int(a, 'sim-port') ?? 8090;
      const dataDir = resolve(one(a, 'data') ?? '.ezybus');
      if (await portInUse(host, port)) throw new UsageError(`${host}:${port} is already in use (try --port)`);
      const mode = one(a, 'mode') ?? 'furl';
      if (mode !== 'furl' && mode !== 'web') throw new UsageError(`--mode is furl or web, got '${mode}'`);
      const gw = await startLocalGateway({ host, port, dataDir, mode, webProcess: true, env: settingsFrom(process.env) });
      const loki = await lokiSink();
      writeFileSync(join(dataDir, 'endpoint.json'), JSON.stringify({ endpoint: gw.dynamoEndpoint }), { mode: 0o600 });
      let sim: { url: string; close(): Promise<void> } | undefined;
      const simulator = async (): Promise<string> => {
        if (!sim) {
          const { startSimulator } = await import('../../local/sim/server.js');
          sim = await startSimulator({ host: '127.0.0.1', port: simPort });
        }
        return sim.url;
      };
      // Demo upstreams from an earlier run point at the simulator: start it and refresh their URL.
      for (const u of (await listUpstreams()).filter((x) => x.id.startsWith('sim-'))) await addUpstream(u.id, u.protocol, await simulator());
      const setup = await firstRun(process.env, simulator);
      const routes = (await listRoutes()).filter((r) => r.active).map((r) => r.model);
      print(`EzyBus is listening on ${gw.url}/v1  (store: ${dataDir})`);
      if (setup.newKey) print(`\nYour gateway key (shown once, keep it):\n  ${setup.newKey}\n`);
      if (setup.newAdminKey) print(`Your admin key for the console at ${gw.url}/console/ (shown once, keep it):\n  ${setup.newAdminKey}\n`);
      if (sim) print(`Provider simulator: ${sim.url} (demo models: ${Object.values(DEMO_MODELS).join(', ')})`);
      print(`Models: ${routes.join(', ') || '(none — add routes with ezybus routes set)'}`);
      print(`\nTry:\n  curl ${gw.url}/v1/chat/completions -H "Authorization: Bearer $EZYBUS_KEY" \\\n    -H 'content-type: application/json' \\\n    -d '{"model":"${routes[0] ?? 'demo-gpt'}","messages":[{"role":"user","content":"Hello"}],"stream":true}'`);
      const stop = async (): Promise<void> => {
        await gw.close();
        await loki?.close();
        await sim?.close();
        rmSync(join(dataDir, 'endpoint.json'), { force: true });
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    },
  },
};
