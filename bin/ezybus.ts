#!/usr/bin/env node
/**
 * `ezybus` — the operator CLI and the local server.
 *
 *   ezybus serve                     run the gateway on 127.0.0.1:8080 (embedded store + simulator)
 *   ezybus keys create|list          gateway keys
 *   ezybus upstreams add|list        provider endpoints and their keys
 *   ezybus routes set|list           public model → upstream targets
 *   ezybus prices set|list|unset     per-stage price overrides over the built-in catalog
 *
 * Every command takes --data DIR (local store, default .ezybus). Commands reach the store of a
 * running `ezybus serve` through the endpoint it records in DIR, or open DIR themselves.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listGatewayKeys, listRoutes, listUpstreamKeys, listUpstreams, putGatewayKey, putUpstream } from '../functions/shared/store/repo.js';
import { int, one, parseArgs, required, UsageError, type Parsed } from './cli/args.js';
import { PROTOCOL_SPELLINGS, wireProtocolOf } from '../functions/shared/protocol/wire.js';
import { addUpstream, addUpstreamKey, createGatewayKey, reencryptUpstreamKey, setRoute, setUpstreamKeyDisabled } from './cli/ops.js';
import { DEMO_MODELS, firstRun } from '../local/first-run.js';
import { configureProcess, portInUse, startLocalGateway, startStore } from '../local/gateway.js';

const HELP: Record<string, string> = {
  main: `Usage: ezybus <command> [options]

Commands:
  serve                 Run the gateway locally (default 127.0.0.1:8080)
  keys create|list      Manage gateway keys (sk-eb-…)
  upstreams add|list    Manage upstream providers and their keys
  routes set|list       Map public model names to upstream targets
  prices set|list|unset Price overrides per stage (the built-in catalog applies otherwise)
  usage                 Usage per key, model and day (table or --csv)
  ledger replay FILE    Replay usage records from log lines into the ledger (idempotent)

Global options:
  --data DIR            Local store directory (default: .ezybus)
  --stage NAME          Talk to a deployed stage instead (AWS credentials from the usual
                        chain; tables ezybus-NAME-*, KMS key alias/ezybus-NAME)
  --region REGION       AWS region of that stage (default: AWS_REGION)
  --help                Help for a command

Exit codes: 0 done, 1 failed (store, KMS …), 2 bad usage.`,
  prices: `Usage:
  ezybus prices list [--json] [--all]     overrides in force, then the catalog (--all: every catalog row)
  ezybus prices set --model UPSTREAM_MODEL --input USD --output USD [--cache-read USD]
                    [--cache-write-5m USD] [--cache-write-1h USD]
                    [--long-above TOKENS --long-input USD --long-output USD [--long-cache-read USD]
                     [--long-cache-write-5m USD] [--long-cache-write-1h USD]] [--note TEXT]
  ezybus prices unset --model UPSTREAM_MODEL

Prices are USD per million tokens (stored as integer micro-dollars). Cache prices default to the
input price (no discount) when omitted. An override applies to requests that start after running
gateways see it (within EZYBUS_CACHE_TTL_MS); records already written keep their cost.`,
  serve: `Usage: ezybus serve [--host 127.0.0.1] [--port 8080] [--data .ezybus] [--sim-port 8090]

Starts the three Lambda handlers in the local Function URL runtime, with dynalite as the store
and a local AES-256-GCM keyring. First run creates a gateway key (printed once) and, when no
OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY is set, demo routes to the simulator.`,
  keys: `Usage:
  ezybus keys create --name NAME [--models 'gpt-*,claude-*'] [--expires 2027-01-01T00:00:00Z]
                     [--rpm N] [--tpm N] [--budget-usd N]
  ezybus keys update --id ID [--name NAME] [--models …] [--expires …] [--rpm N] [--tpm N] [--budget-usd N]
  ezybus keys revoke --id ID
  ezybus keys list [--json]

Changes reach running gateways within the key cache TTL (EZYBUS_CACHE_TTL_MS, default 30 s).`,
  usage: `Usage:
  ezybus usage [--key ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv]

Per key, model and day, from the ledger's running totals.`,
  upstreams: `Usage:
  ezybus upstreams add --id ID --protocol chat-completions|messages|generate-content --base-url URL [--key-env VAR]
      (openai, anthropic and gemini are accepted for chat-completions, messages and generate-content)
  ezybus upstreams rotate --id ID --key-env VAR [--retire KEYID]   add a new provider key (and retire an old one)
  ezybus upstreams disable --id ID [--key KEYID]                   take an upstream, or one key, out of rotation
  ezybus upstreams enable --id ID [--key KEYID]
  ezybus upstreams reencrypt                                       re-encrypt every stored key under the current keyring
  ezybus upstreams health [--json]                                 key cooldowns and disables seen by the gateways
  ezybus upstreams list [--json]

--key-env names an environment variable holding the provider key (keeps it out of shell history).`,
  ledger: `Usage:
  ezybus ledger replay FILE|-     Read structured log lines (a file, or - for stdin) and write each
                                  request's usage record into the ledger. Records already present
                                  are left as they are, so replaying twice changes nothing.`,
  routes: `Usage:
  ezybus routes set --model PUBLIC --target UPSTREAM:MODEL[:WEIGHT[:PRIORITY]] [--target …]
                    [--max-tokens N] [--hedge-after-ms N] [--failover-statuses 429,500,503,529]
                    [--early-commit] [--auto-cache 5m|1h] [--thinking-budgets LOW,MEDIUM,HIGH] [--inactive]

--hedge-after-ms      start a second attempt on another key when the first shows no content in N ms
--early-commit        non-stream requests: answer 200 at once and send whitespace while waiting
                      (errors then arrive in the JSON body, not as a status)
--auto-cache          OpenAI-format clients on Claude targets: place prompt-cache breakpoints
                      (tools, system, the two latest user turns) at this TTL
--thinking-budgets    thinking tokens for reasoning_effort low,medium,high when translated to
                      Claude or Gemini (default 2048,8192,24576)
  ezybus routes list [--json]`,
};

function print(s: string): void {
  process.stdout.write(s + '\n');
}

async function openStore(p: Parsed): Promise<() => Promise<void>> {
  const stage = one(p, 'stage');
  if (stage !== undefined && stage !== 'local') {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage)) throw new UsageError(`--stage must be lower-case letters, digits and dashes, got '${stage}'`);
    const region = one(p, 'region') ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError('--stage needs a region: pass --region or set AWS_REGION');
    configureProcess({ AWS_REGION: region, EZYBUS_STAGE: stage, EZYBUS_KMS_KEY_ARN: one(p, 'kms-key') ?? `alias/ezybus-${stage}` });
    return async () => undefined;
  }
  const dataDir = resolve(one(p, 'data') ?? '.ezybus');
  const endpointFile = join(dataDir, 'endpoint.json');
  const keyringPath = join(dataDir, 'master.key');
  const base = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    EZYBUS_STAGE: 'local',
    EZYBUS_LOCAL_KEYRING: keyringPath,
  };
  if (existsSync(endpointFile)) {
    const { endpoint } = JSON.parse(readFileSync(endpointFile, 'utf8')) as { endpoint: string };
    const u = new URL(endpoint);
    if (await portInUse(u.hostname, Number(u.port))) {
      configureProcess({ ...base, EZYBUS_DYNAMODB_ENDPOINT: endpoint });
      return async () => undefined;
    }
  }
  const store = await startStore('127.0.0.1', dataDir);
  configureProcess({ ...base, EZYBUS_DYNAMODB_ENDPOINT: store.endpoint });
  const { ensureTables } = await import('../functions/shared/store/tables.js');
  await ensureTables();
  return store.close;
}

async function serve(p: Parsed): Promise<void> {
  const host = one(p, 'host') ?? '127.0.0.1';
  const port = int(p, 'port') ?? 8080;
  const simPort = int(p, 'sim-port') ?? 8090;
  const dataDir = resolve(one(p, 'data') ?? '.ezybus');
  if (await portInUse(host, port)) throw new UsageError(`${host}:${port} is already in use (try --port)`);
  const gw = await startLocalGateway({ host, port, dataDir });
  // With EZYBUS_LOKI_URL set, the local server's log lines also go straight to Loki.
  let loki: { close(): Promise<void> } | undefined;
  if (process.env.EZYBUS_LOKI_URL) {
    const { createLokiExporter } = await import('../functions/shared/loki/exporter.js');
    const { shipperConfig } = await import('../functions/shared/loki/config.js');
    const { setLogSink } = await import('../functions/shared/logging/log.js');
    const c = shipperConfig({ ...process.env, EZYBUS_STAGE: 'local' });
    const exporter = createLokiExporter({ url: c.url, tenant: c.tenant, auth: c.auth, stage: 'local', onError: (e) => process.stderr.write(`[loki] ${e.message}\n`) });
    setLogSink((line) => {
      process.stdout.write(line + '\n');
      exporter.push(line);
    });
    loki = exporter;
  }
  writeFileSync(join(dataDir, 'endpoint.json'), JSON.stringify({ endpoint: gw.dynamoEndpoint }), { mode: 0o600 });
  let sim: { url: string; close(): Promise<void> } | undefined;
  const simulator = async (): Promise<string> => {
    if (!sim) {
      const { startSimulator } = await import('../local/sim/server.js');
      sim = await startSimulator({ host: '127.0.0.1', port: simPort });
    }
    return sim.url;
  };
  // Demo upstreams from an earlier run point at the simulator: start it and refresh their URL.
  const simUpstreams = (await listUpstreams()).filter((u) => u.id.startsWith('sim-'));
  for (const u of simUpstreams) await addUpstream(u.id, u.protocol, await simulator());
  const setup = await firstRun(process.env, simulator);
  const routes = (await listRoutes()).filter((r) => r.active).map((r) => r.model);
  print(`EzyBus is listening on ${gw.url}/v1  (store: ${dataDir})`);
  if (setup.newKey) print(`\nYour gateway key (shown once, keep it):\n  ${setup.newKey}\n`);
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
}

async function keys(p: Parsed, sub: string | undefined): Promise<void> {
  if (sub === 'create') {
    const models = one(p, 'models');
    const expires = one(p, 'expires');
    const budget = one(p, 'budget-usd');
    let expiresAt: number | undefined;
    if (expires !== undefined) {
      expiresAt = Date.parse(expires);
      if (!Number.isFinite(expiresAt)) throw new UsageError(`--expires must be an ISO date, got '${expires}'`);
    }
    let budgetMicros: number | undefined;
    if (budget !== undefined) {
      const n = Number(budget);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--budget-usd must be a non-negative number, got '${budget}'`);
      budgetMicros = Math.round(n * 1_000_000);
    }
    const rpm = int(p, 'rpm');
    const tpm = int(p, 'tpm');
    const { key, record } = await createGatewayKey({
      name: required(p, 'name'),
      ...(models ? { allowedModels: models.split(',').map((m) => m.trim()).filter(Boolean) } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(rpm !== undefined ? { rpm } : {}),
      ...(tpm !== undefined ? { tpm } : {}),
      ...(budgetMicros !== undefined ? { budgetMicros } : {}),
    });
    if (p.options.has('json')) print(JSON.stringify({ id: record.id, key, prefix: record.prefix }));
    else print(`Created ${record.id} (${record.name}). The key is shown once:\n${key}`);
    return;
  }
  if (sub === 'revoke' || sub === 'update') {
    const id = required(p, 'id');
    const found = (await listGatewayKeys()).find((k) => k.id === id);
    if (!found) throw new UsageError(`no gateway key with id '${id}' (see ezybus keys list)`);
    if (sub === 'revoke') found.disabled = true;
    else {
      const name = one(p, 'name');
      if (name) found.name = name;
      const models = one(p, 'models');
      if (models !== undefined) found.allowedModels = models.split(',').map((m) => m.trim()).filter(Boolean);
      const expires = one(p, 'expires');
      if (expires !== undefined) {
        const t = Date.parse(expires);
        if (!Number.isFinite(t)) throw new UsageError(`--expires must be an ISO date, got '${expires}'`);
        found.expiresAt = t;
      }
      const rpm = int(p, 'rpm');
      if (rpm !== undefined) found.rpm = rpm;
      const tpm = int(p, 'tpm');
      if (tpm !== undefined) found.tpm = tpm;
      const budget = one(p, 'budget-usd');
      if (budget !== undefined) {
        const n = Number(budget);
        if (!Number.isFinite(n) || n < 0) throw new UsageError(`--budget-usd must be a non-negative number, got '${budget}'`);
        found.budgetMicros = Math.round(n * 1e6);
      }
    }
    await putGatewayKey(found);
    print(`${sub === 'revoke' ? 'Revoked' : 'Updated'} ${found.id} (${found.name}). Running gateways see it within the key cache TTL.`);
    return;
  }
  if (sub === 'list') {
    const list = (await listGatewayKeys()).map(({ hash: _hash, ...k }) => k);
    if (p.options.has('json')) print(JSON.stringify(list));
    else for (const k of list) print(`${k.id}  ${k.prefix}…  ${k.name}${k.disabled ? '  (revoked)' : ''}${k.allowedModels ? `  models=${k.allowedModels.join(',')}` : ''}`);
    return;
  }
  throw new UsageError(`unknown keys command '${sub ?? ''}'\n\n${HELP.keys}`);
}

async function upstreams(p: Parsed, sub: string | undefined): Promise<void> {
  if (sub === 'add') {
    const protocol = wireProtocolOf(required(p, 'protocol'));
    if (!protocol) throw new UsageError(`--protocol must be one of ${PROTOCOL_SPELLINGS}, got '${required(p, 'protocol')}'`);
    const id = required(p, 'id');
    const u = await addUpstream(id, protocol, required(p, 'base-url'));
    const keyEnv = one(p, 'key-env');
    if (keyEnv) {
      const value = process.env[keyEnv];
      if (!value) throw new UsageError(`environment variable ${keyEnv} is empty`);
      const keyId = await addUpstreamKey(id, value);
      print(`Added upstream ${u.id} (${u.protocol}, ${u.baseUrl}) with key ${keyId} (…${value.slice(-4)}).`);
    } else print(`Added upstream ${u.id} (${u.protocol}, ${u.baseUrl}). Add a key with --key-env.`);
    return;
  }
  if (sub === 'rotate') {
    const id = required(p, 'id');
    if (!(await listUpstreams()).some((u) => u.id === id)) throw new UsageError(`unknown upstream '${id}'`);
    const keyEnv = required(p, 'key-env');
    const value = process.env[keyEnv];
    if (!value) throw new UsageError(`environment variable ${keyEnv} is empty`);
    const keyId = await addUpstreamKey(id, value);
    const retire = one(p, 'retire');
    if (retire) await setUpstreamKeyDisabled(id, retire, 'retired by rotation');
    print(`Added key ${keyId} (…${value.slice(-4)}) to ${id}${retire ? `; retired ${retire}` : ''}.`);
    return;
  }
  if (sub === 'disable' || sub === 'enable') {
    const id = required(p, 'id');
    const key = one(p, 'key');
    if (key) await setUpstreamKeyDisabled(id, key, sub === 'disable' ? 'disabled by operator' : undefined);
    else {
      const u = (await listUpstreams()).find((x) => x.id === id);
      if (!u) throw new UsageError(`unknown upstream '${id}'`);
      await putUpstream(sub === 'disable' ? { ...u, disabled: true } : (({ disabled: _d, ...rest }) => rest)(u));
    }
    print(`${sub === 'disable' ? 'Disabled' : 'Enabled'} ${id}${key ? `/${key}` : ''}.`);
    return;
  }
  if (sub === 'reencrypt') {
    let n = 0;
    for (const u of await listUpstreams()) {
      for (const k of await listUpstreamKeys(u.id)) {
        await reencryptUpstreamKey(k);
        n++;
      }
    }
    print(`Re-encrypted ${n} upstream key(s) under the current keyring.`);
    return;
  }
  if (sub === 'health') {
    const { listHealth } = await import('../functions/shared/upstream/health.js');
    const rows = [...(await listHealth()).entries()].map(([ref, h]) => ({ key: ref, ...h }));
    if (p.options.has('json')) print(JSON.stringify(rows));
    else if (!rows.length) print('All upstream keys healthy.');
    else
      for (const r of rows)
        print(`${r.key}  ${r.disabled ? `disabled: ${r.disabled}` : r.probeAfter ? `awaiting probe after ${new Date(r.probeAfter).toISOString()}` : `cooling until ${new Date(r.until).toISOString()}`}  failures=${r.failures}`);
    return;
  }
  if (sub === 'list') {
    const list = await listUpstreams();
    const rows = [];
    for (const u of list) {
      const ks = (await listUpstreamKeys(u.id)).map((k) => ({
        id: k.id,
        hint: `…${k.hint}`,
        disabled: k.disabled ?? false,
        ...(k.disabledReason ? { reason: k.disabledReason } : {}),
      }));
      rows.push({ ...u, keys: ks });
    }
    if (p.options.has('json')) print(JSON.stringify(rows));
    else for (const r of rows) print(`${r.id}  ${r.protocol}  ${r.baseUrl}  keys: ${r.keys.map((k) => `${k.id}(${k.hint})`).join(', ') || 'none'}`);
    return;
  }
  throw new UsageError(`unknown upstreams command '${sub ?? ''}'\n\n${HELP.upstreams}`);
}

async function routes(p: Parsed, sub: string | undefined): Promise<void> {
  if (sub === 'set') {
    const targets = (p.options.get('target') ?? []).map((t) => {
      const [upstream, model, weight, priority] = t.split(':');
      if (!upstream || !model) throw new UsageError(`--target must be UPSTREAM:MODEL[:WEIGHT[:PRIORITY]], got '${t}'`);
      const w = weight === undefined ? 1 : Number(weight);
      const pr = priority === undefined ? 0 : Number(priority);
      if (!Number.isFinite(w) || w < 0 || !Number.isInteger(pr)) throw new UsageError(`bad weight or priority in '${t}'`);
      return { upstream, model, weight: w, priority: pr };
    });
    if (!targets.length) throw new UsageError('at least one --target is required');
    const known = new Set((await listUpstreams()).map((u) => u.id));
    for (const t of targets) if (!known.has(t.upstream)) throw new UsageError(`unknown upstream '${t.upstream}' (see ezybus upstreams list)`);
    const maxTokens = int(p, 'max-tokens');
    const hedge = int(p, 'hedge-after-ms');
    const statusesRaw = one(p, 'failover-statuses');
    const statuses = statusesRaw?.split(',').map((x) => Number(x.trim()));
    if (statuses && statuses.some((x) => !Number.isInteger(x) || x < 400 || x > 599)) {
      throw new UsageError(`--failover-statuses must be HTTP statuses 400–599, got '${statusesRaw}'`);
    }
    const autoCache = one(p, 'auto-cache');
    if (autoCache !== undefined && autoCache !== '5m' && autoCache !== '1h') throw new UsageError(`--auto-cache must be 5m or 1h, got '${autoCache}'`);
    const budgetsRaw = one(p, 'thinking-budgets');
    const budgets = budgetsRaw?.split(',').map((x) => Number(x.trim()));
    if (budgets && (budgets.length !== 3 || budgets.some((x) => !Number.isInteger(x) || x < 1024))) {
      throw new UsageError(`--thinking-budgets must be three token counts ≥ 1024 (low,medium,high), got '${budgetsRaw}'`);
    }
    const r = await setRoute(required(p, 'model'), targets, {
      ...(autoCache ? { autoCache } : {}),
      ...(budgets ? { thinkingBudgets: { low: budgets[0]!, medium: budgets[1]!, high: budgets[2]! } } : {}),
      active: !p.options.has('inactive'),
      ...(maxTokens !== undefined ? { maxTokensDefault: maxTokens } : {}),
      ...(hedge !== undefined ? { hedgeAfterMs: hedge } : {}),
      ...(statuses ? { failoverStatuses: statuses } : {}),
      ...(p.options.has('early-commit') ? { earlyCommit: true } : {}),
    });
    print(`Route ${r.model} → ${r.targets.map((t) => `${t.upstream}:${t.model}`).join(', ')}`);
    return;
  }
  if (sub === 'list') {
    const list = await listRoutes();
    if (p.options.has('json')) print(JSON.stringify(list));
    else for (const r of list) print(`${r.model}${r.active ? '' : ' (inactive)'}  → ${r.targets.map((t) => `${t.upstream}:${t.model} w${t.weight} p${t.priority}`).join(', ')}`);
    return;
  }
  throw new UsageError(`unknown routes command '${sub ?? ''}'\n\n${HELP.routes}`);
}

async function prices(p: Parsed, sub: string | undefined): Promise<void> {
  const { deletePriceOverride, listPriceOverrides, putPriceOverride } = await import('../functions/shared/store/repo.js');
  const { catalogRows, PRICE_CATALOG_VERSION } = await import('../functions/shared/usage/prices.js');
  const fmt = (micros: number): string => `$${(micros / 1e6).toFixed(micros % 10_000 === 0 ? 2 : 4)}`;
  const row = (model: string, pr: { input: number; output: number; cacheRead: number; cacheWrite5m: number; cacheWrite1h: number }): string =>
    `${model.padEnd(36)} in ${fmt(pr.input).padStart(9)}  out ${fmt(pr.output).padStart(9)}  read ${fmt(pr.cacheRead).padStart(8)}  w5m ${fmt(pr.cacheWrite5m).padStart(8)}  w1h ${fmt(pr.cacheWrite1h).padStart(8)}`;
  if (sub === 'list') {
    const overrides = await listPriceOverrides();
    const catalog = catalogRows();
    if (p.options.has('json')) {
      print(JSON.stringify({ catalogVersion: PRICE_CATALOG_VERSION, overrides, catalog }));
      return;
    }
    print(`Overrides (${overrides.length}):`);
    for (const o of overrides) print(`  ${row(o.model, o.price)}${o.note ? `  # ${o.note}` : ''}`);
    const shown = p.options.has('all') ? catalog : catalog.filter((c) => !overrides.some((o) => o.model === c.model));
    print(`Catalog ${PRICE_CATALOG_VERSION} (USD per million tokens):`);
    for (const c of shown) print(`  ${c.provider.padEnd(9)} ${row(c.model, c.price)}${c.price.longContext ? `  (> ${c.price.longContext.aboveInputTokens} prompt tokens: in ${fmt(c.price.longContext.input)} out ${fmt(c.price.longContext.output)})` : ''}`);
    return;
  }
  if (sub === 'unset') {
    await deletePriceOverride(required(p, 'model'));
    print(`Override removed; ${required(p, 'model')} is priced from the catalog again.`);
    return;
  }
  if (sub === 'set') {
    const model = required(p, 'model');
    const usdOpt = (name: string, fallback?: number): number => {
      const raw = one(p, name);
      if (raw === undefined) {
        if (fallback === undefined) throw new UsageError(`--${name} is required (USD per million tokens)`);
        return fallback;
      }
      const n = Number(raw);
      if (!/^\d+(\.\d{1,6})?$/.test(raw) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a non-negative USD amount with at most 6 decimals, got '${raw}'`);
      return Math.round(n * 1_000_000);
    };
    const tier = (prefix: string): { input: number; output: number; cacheRead: number; cacheWrite5m: number; cacheWrite1h: number } => {
      const input = usdOpt(`${prefix}input`);
      return {
        input,
        output: usdOpt(`${prefix}output`),
        cacheRead: usdOpt(`${prefix}cache-read`, input),
        cacheWrite5m: usdOpt(`${prefix}cache-write-5m`, input),
        cacheWrite1h: usdOpt(`${prefix}cache-write-1h`, input),
      };
    };
    const price: import('../functions/shared/usage/prices.js').ModelPrice = tier('');
    const above = int(p, 'long-above');
    if (above !== undefined) {
      if (above <= 0) throw new UsageError('--long-above must be a positive token count');
      price.longContext = { ...tier('long-'), aboveInputTokens: above };
    }
    const note = one(p, 'note');
    await putPriceOverride({ model, price, updatedAt: Date.now(), ...(note ? { note } : {}) });
    print(`Override set: ${row(model, price)}`);
    return;
  }
  throw new UsageError(`unknown prices command '${sub ?? ''}'\n\n${HELP.prices}`);
}

async function usage(p: Parsed): Promise<void> {
  const { usageRows, toCsv, toTable } = await import('./cli/usage-report.js');
  for (const d of ['from', 'to'] as const) {
    const v = one(p, d);
    if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new UsageError(`--${d} must be YYYY-MM-DD, got '${v}'`);
  }
  const from = one(p, 'from');
  const to = one(p, 'to');
  const keyId = one(p, 'key');
  const rows = await usageRows(await listGatewayKeys(), { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(keyId ? { keyId } : {}) });
  process.stdout.write(p.options.has('csv') ? toCsv(rows) : toTable(rows) + '\n');
}

async function ledger(p: Parsed, sub: string | undefined): Promise<void> {
  if (sub !== 'replay') throw new UsageError(`unknown ledger command '${sub ?? ''}'\n\n${HELP.ledger}`);
  const file = p.positionals[2];
  if (!file) throw new UsageError(`ledger replay needs a FILE (or - for stdin)\n\n${HELP.ledger}`);
  if (file !== '-' && !existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const { replay } = await import('./cli/replay.js');
  const r = await replay(file);
  print(`${r.lines} lines, ${r.records} usage records: ${r.written} written, ${r.alreadyPresent} already in the ledger.`);
}

async function main(argv: string[]): Promise<void> {
  const p = parseArgs(argv, new Set(['help', 'json', 'inactive', 'csv', 'early-commit', 'all']));
  const [cmd, sub] = p.positionals;
  if (!cmd || (cmd === 'help' && !sub)) {
    print(HELP.main as string);
    return;
  }
  if (p.options.has('help')) {
    print(HELP[cmd] ?? (HELP.main as string));
    return;
  }
  if (cmd === 'serve') return serve(p);
  if (!(cmd in HELP)) throw new UsageError(`unknown command '${cmd}'\n\n${HELP.main}`);
  const close = await openStore(p);
  try {
    if (cmd === 'keys') await keys(p, sub);
    else if (cmd === 'upstreams') await upstreams(p, sub);
    else if (cmd === 'routes') await routes(p, sub);
    else if (cmd === 'prices') await prices(p, sub);
    else if (cmd === 'ledger') await ledger(p, sub);
    else if (cmd === 'usage') await usage(p);
  } finally {
    await close();
  }
}

// `ezybus prices list | head` closes the pipe early: that is not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`ezybus: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`ezybus: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
