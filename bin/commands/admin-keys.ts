/** `ezybus admin-keys create|list|revoke`: keys for the console and the admin API (ak-eb-…). */
import { createAdminKey, listAdminKeys, revokeAdminKey } from '../../functions/shared/admin/admin-keys.js';
import { cliActor } from '../cli/actor.js';
import { flag, one, print, required, UsageError, type Command } from '../cli/command.js';

export const command: Command = {
  help: `Usage:
  ezybus admin-keys create --name NAME [--scope read|write] [--json]   (default read; the key is shown once)
  ezybus admin-keys list [--json]
  ezybus admin-keys revoke --id ID

Admin keys sign in to the console (/console) and the admin API (/admin/*). A read key may only
look; a write key may also change gateway keys, upstreams, routes and prices. Every change, from
the console, the API or this CLI, is written to the audit trail.`,
  actions: {
    create: {
      options: { name: { type: 'string' }, scope: { type: 'string' }, json: { type: 'boolean' } },
      async run(a) {
        const scope = one(a, 'scope') ?? 'read';
        if (scope !== 'read' && scope !== 'write') throw new UsageError(`--scope must be read or write, got '${scope}'`);
        const { key, record } = await createAdminKey(required(a, 'name'), scope, cliActor());
        if (flag(a, 'json')) print(JSON.stringify({ id: record.id, key, prefix: record.prefix, scope }));
        else print(`Created admin key ${record.id} (${record.name}, ${scope}). The key is shown once:\n${key}`);
      },
    },
    list: {
      options: { json: { type: 'boolean' } },
      async run(a) {
        const list = (await listAdminKeys()).map(({ hash: _h, ...k }) => k);
        if (flag(a, 'json')) print(JSON.stringify(list));
        else for (const k of list) print(`${k.id}  ${k.prefix}…  ${k.scope.padEnd(5)}  ${k.name}${k.disabled ? '  (revoked)' : ''}`);
      },
    },
    revoke: {
      options: { id: { type: 'string' } },
      async run(a) {
        const k = await revokeAdminKey(required(a, 'id'), cliActor());
        print(`Revoked admin key ${k.id} (${k.name}).`);
      },
    },
  },
};
