/**
 * `ezybus` — the operator CLI and the local server. This file only dispatches: each command is
 * one module in bin/commands/, loaded when it runs (so `ezybus --help` loads none of them).
 * Run through bin/ezybus.mjs, the plain-JavaScript entry that `npx ezybus`, `npm link` and
 * `npm install -g` use.
 */
import { OpError } from '../functions/shared/admin/errors.js';
import { isAction, parse, print, UsageError, type Command } from './cli/command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  serve: { summary: 'serve                     Run the gateway locally (default 127.0.0.1:8080)', load: () => import('./commands/serve.js') },
  keys: { summary: 'keys create|update|…      Manage gateway keys (sk-eb-…)', load: () => import('./commands/keys.js') },
  upstreams: { summary: 'upstreams add|rotate|…    Manage upstream providers and their keys', load: () => import('./commands/upstreams.js') },
  routes: { summary: 'routes set|list           Map public model names to upstream targets', load: () => import('./commands/routes.js') },
  prices: { summary: 'prices set|list|unset     Price overrides per stage (the built-in catalog applies otherwise)', load: () => import('./commands/prices.js') },
  usage: { summary: 'usage                     Usage per key, model and day (table or --csv)', load: () => import('./commands/usage.js') },
  ledger: { summary: 'ledger replay|redrive     Replay usage records (log lines, or the ledger DLQ) into the ledger', load: () => import('./commands/ledger.js') },
  'admin-keys': { summary: 'admin-keys create|list|…  Admin keys for the console and the admin API (ak-eb-…)', load: () => import('./commands/admin-keys.js') },
  loki: { summary: 'loki redrive              Push the Loki shipper’s parked batches (its DLQ) into Loki', load: () => import('./commands/loki.js') },
};

const MAIN_HELP = `Usage: ezybus <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.summary}`)
  .join('\n')}

Global options:
  --data DIR            Local store directory (default: .ezybus)
  --stage NAME          Talk to a deployed stage instead (AWS credentials from the usual
                        chain; tables ezybus-NAME-*, KMS key alias/ezybus-NAME)
  --region REGION       AWS region of that stage (default: AWS_REGION)
  --kms-key ARN         That stage's KMS key (default: alias/ezybus-NAME)
  --help, -h            Help for a command (ezybus keys --help)

Exit codes: 0 done, 1 failed (store, KMS …), 2 bad usage.`;

const wantsHelp = (argv: string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || (name === 'help' && rest[0] === undefined)) return print(MAIN_HELP);
  if (name.startsWith('-')) {
    // Only global options and no command: the overview (after checking those options too).
    parse(argv, { options: {}, run: async () => undefined }, 'ezybus');
    return print(MAIN_HELP);
  }
  const topic = name === 'help' ? (rest[0] as string) : name;
  const entry = COMMANDS[topic];
  if (!entry) throw new UsageError(`unknown command '${topic}'\n\n${MAIN_HELP}`);
  const { command } = await entry.load();
  if (name === 'help' || wantsHelp(rest)) return print(command.help);
  let action;
  let where = name;
  let args = rest;
  if (isAction(command.actions)) action = command.actions;
  else {
    const [sub, ...more] = rest;
    const missing = sub === undefined || sub.startsWith('-');
    action = missing ? undefined : command.actions[sub];
    if (!action) throw new UsageError(`${missing ? `${name} needs a subcommand` : `unknown ${name} command '${sub}'`}\n\n${command.help}`);
    where = `${name} ${sub}`;
    args = more;
  }
  const parsed = parse(args, action, where);
  if (command.opensOwnStore) return action.run(parsed);
  const { openStore } = await import('./cli/store.js');
  const close = await openStore(parsed);
  try {
    await action.run(parsed);
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
  process.stderr.write(`ezybus: ${err instanceof Error ? err.message : String(err)}\n`);
  // An operation refused for a reason the operator can fix (unknown id, bad value) is bad usage too.
  process.exit(err instanceof UsageError || err instanceof OpError ? 2 : 1);
});
