/** `ezybus upstreams add|rotate|disable|enable|reencrypt|health|list`: providers and their keys. */
import { PROTOCOL_SPELLINGS, wireProtocolOf } from '../../functions/shared/protocol/wire.js';
import { listUpstreamKeys, listUpstreams } from '../../functions/shared/store/repo.js';
import { addUpstream, addUpstreamKey, listUpstreamViews, reencryptUpstreamKey, rotateUpstreamKey, setUpstreamDisabled, setUpstreamKeyDisabled } from '../../functions/shared/admin/ops.js';
import { cliActor } from '../cli/actor.js';
import { flag, one, print, required, UsageError, type Action, type Command } from '../cli/command.js';

/** The provider key named by --key-env: read from the environment so it stays out of shell history. */
function keyFromEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new UsageError(`environment variable ${name} is empty`);
  return value;
}

const toggle = (disable: boolean): Action => ({
  options: { id: { type: 'string' }, key: { type: 'string' } },
  async run(a) {
    const id = required(a, 'id');
    const key = one(a, 'key');
    if (key) await setUpstreamKeyDisabled(id, key, disable ? 'disabled by operator' : undefined, cliActor());
    else await setUpstreamDisabled(id, disable, cliActor());
    print(`${disable ? 'Disabled' : 'Enabled'} ${id}${key ? `/${key}` : ''}.`);
  },
});

export const command: Command = {
  help: `Usage:
  ezybus upstreams add --id ID --protocol chat-completions|messages|generate-content --base-url URL [--key-env VAR]
      (openai, anthropic and gemini are accepted for chat-completions, messages and generate-content)
  ezybus upstreams rotate --id ID --key-env VAR [--retire KEYID]   add a new provider key (and retire an old one)
  ezybus upstreams disable --id ID [--key KEYID]                   take an upstream, or one key, out of rotation
  ezybus upstreams enable --id ID [--key KEYID]
  ezybus upstreams reencrypt                                       re-encrypt every stored key under the current keyring
  ezybus upstreams health [--json]                                 key cooldowns and disables seen by the gateways
  ezybus upstreams list [--json]

--key-env names an environment variable holding the provider key (keeps it out of shell history).`,
  actions: {
    add: {
      options: { id: { type: 'string' }, protocol: { type: 'string' }, 'base-url': { type: 'string' }, 'key-env': { type: 'string' } },
      async run(a) {
        const protocol = wireProtocolOf(required(a, 'protocol'));
        if (!protocol) throw new UsageError(`--protocol must be one of ${PROTOCOL_SPELLINGS}, got '${required(a, 'protocol')}'`);
        const id = required(a, 'id');
        const keyEnv = one(a, 'key-env');
        const value = keyEnv ? keyFromEnv(keyEnv) : undefined;
        const u = await addUpstream(id, protocol, required(a, 'base-url'), cliActor());
        if (value) {
          const keyId = await addUpstreamKey(id, value, undefined, cliActor());
          print(`Added upstream ${u.id} (${u.protocol}, ${u.baseUrl}) with key ${keyId} (…${value.slice(-4)}).`);
        } else print(`Added upstream ${u.id} (${u.protocol}, ${u.baseUrl}). Add a key with --key-env.`);
      },
    },
    rotate: {
      options: { id: { type: 'string' }, 'key-env': { type: 'string' }, retire: { type: 'string' } },
      async run(a) {
        const id = required(a, 'id');
        const value = keyFromEnv(required(a, 'key-env'));
        const retire = one(a, 'retire');
        const keyId = await rotateUpstreamKey(id, value, retire, cliActor());
        print(`Added key ${keyId} (…${value.slice(-4)}) to ${id}${retire ? `; retired ${retire}` : ''}.`);
      },
    },
    disable: toggle(true),
    enable: toggle(false),
    reencrypt: {
      options: {},
      async run() {
        let n = 0;
        for (const u of await listUpstreams()) {
          for (const k of await listUpstreamKeys(u.id)) {
            await reencryptUpstreamKey(k, undefined, undefined, cliActor());
            n++;
          }
        }
        print(`Re-encrypted ${n} upstream key(s) under the current keyring.`);
      },
    },
    health: {
      options: { json: { type: 'boolean' } },
      async run(a) {
        const { listHealth } = await import('../../functions/shared/upstream/health.js');
        const rows = [...(await listHealth()).entries()].map(([ref, h]) => ({ key: ref, ...h }));
        if (flag(a, 'json')) print(JSON.stringify(rows));
        else if (!rows.length) print('All upstream keys healthy.');
        else
          for (const r of rows)
            print(`${r.key}  ${r.disabled ? `disabled: ${r.disabled}` : r.probeAfter ? `awaiting probe after ${new Date(r.probeAfter).toISOString()}` : `cooling until ${new Date(r.until).toISOString()}`}  failures=${r.failures}`);
      },
    },
    list: {
      options: { json: { type: 'boolean' } },
      async run(a) {
        const rows = await listUpstreamViews();
        if (flag(a, 'json')) print(JSON.stringify(rows));
        else for (const r of rows) print(`${r.id}  ${r.protocol}  ${r.baseUrl}  keys: ${r.keys.map((k) => `${k.id}(${k.hint})`).join(', ') || 'none'}`);
      },
    },
  },
};
