/** `ezybus keys create|update|revoke|list`: gateway keys (sk-eb-…). */
import { listGatewayKeys } from '../../functions/shared/store/repo.js';
import type { GatewayKey } from '../../functions/shared/store/records.js';
import { createGatewayKey, keyView, revokeGatewayKey, updateGatewayKey } from '../../functions/shared/admin/ops.js';
import { cliActor } from '../cli/actor.js';
import { flag, int, one, print, required, UsageError, type Args, type Command } from '../cli/command.js';

const LIMITS = {
  models: { type: 'string' },
  expires: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  'budget-usd': { type: 'string' },
} as const;

type Limits = Partial<Pick<GatewayKey, 'allowedModels' | 'expiresAt' | 'rpm' | 'tpm' | 'budgetMicros'>>;

/** The limit options that `create` and `update` share, validated; only those given. */
function limits(a: Args): Limits {
  const out: Limits = {};
  const models = one(a, 'models');
  if (models !== undefined) out.allowedModels = models.split(',').map((m) => m.trim()).filter(Boolean);
  const expires = one(a, 'expires');
  if (expires !== undefined) {
    const t = Date.parse(expires);
    if (!Number.isFinite(t)) throw new UsageError(`--expires must be an ISO date, got '${expires}'`);
    out.expiresAt = t;
  }
  const rpm = int(a, 'rpm');
  if (rpm !== undefined) out.rpm = rpm;
  const tpm = int(a, 'tpm');
  if (tpm !== undefined) out.tpm = tpm;
  const budget = one(a, 'budget-usd');
  if (budget !== undefined) {
    const n = Number(budget);
    if (budget.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--budget-usd must be a non-negative number, got '${budget}'`);
    out.budgetMicros = Math.round(n * 1_000_000);
  }
  return out;
}

export const command: Command = {
  help: `Usage:
  ezybus keys create --name NAME [--models 'gpt-*,claude-*'] [--expires 2027-01-01T00:00:00Z]
                     [--rpm N] [--tpm N] [--budget-usd N] [--json]
  ezybus keys update --id ID [--name NAME] [--models …] [--expires …] [--rpm N] [--tpm N] [--budget-usd N]
  ezybus keys revoke --id ID
  ezybus keys list [--json]

Changes reach running gateways within the key cache TTL (EZYBUS_CACHE_TTL_MS, default 30 s).`,
  actions: {
    create: {
      options: { name: { type: 'string' }, ...LIMITS, json: { type: 'boolean' } },
      async run(a) {
        const { key, record } = await createGatewayKey({ name: required(a, 'name'), ...limits(a) }, cliActor());
        if (flag(a, 'json')) print(JSON.stringify({ id: record.id, key, prefix: record.prefix }));
        else print(`Created ${record.id} (${record.name}). The key is shown once:\n${key}`);
      },
    },
    update: {
      options: { id: { type: 'string' }, name: { type: 'string' }, ...LIMITS },
      async run(a) {
        const name = one(a, 'name');
        const found = await updateGatewayKey(required(a, 'id'), { ...(name ? { name } : {}), ...limits(a) }, cliActor());
        print(`Updated ${found.id} (${found.name}). Running gateways see it within the key cache TTL.`);
      },
    },
    revoke: {
      options: { id: { type: 'string' } },
      async run(a) {
        const found = await revokeGatewayKey(required(a, 'id'), cliActor());
        print(`Revoked ${found.id} (${found.name}). Running gateways see it within the key cache TTL.`);
      },
    },
    list: {
      options: { json: { type: 'boolean' } },
      async run(a) {
        const list = (await listGatewayKeys()).map(keyView);
        if (flag(a, 'json')) print(JSON.stringify(list));
        else for (const k of list) print(`${k.id}  ${k.prefix}…  ${k.name}${k.disabled ? '  (revoked)' : ''}${k.allowedModels ? `  models=${k.allowedModels.join(',')}` : ''}`);
      },
    },
  },
};
