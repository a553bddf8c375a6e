/**
 * `ezybus ledger replay FILE|-`: usage records from structured log lines into the ledger.
 * `ezybus ledger redrive --queue-url URL`: the ledger writer's DLQ back into the ledger.
 */
import { existsSync } from 'node:fs';
import { one, print, UsageError, type Command } from '../cli/command.js';

const help = `Usage:
  ezybus ledger replay FILE|-     Read structured log lines (a file, or - for stdin) and write each
                                  request's usage record into the ledger. Records already present
                                  are left as they are, so replaying twice changes nothing.
                                  A record the ledger cannot take is reported on stderr and skipped;
                                  the replay goes on, and exits 3 when any record was skipped.
  ezybus ledger redrive --queue-url URL
                                  Replay the ledger DLQ (ezybus-<stage>-ledger-dlq) with the ledger
                                  writer's own batch code and delete each message once written;
                                  exactly once by request id, so it is safe to run again.`;

export const command: Command = {
  help,
  actions: {
    redrive: {
      options: { 'queue-url': { type: 'string' } },
      async run(a) {
        const url = one(a, 'queue-url');
        if (!url) throw new UsageError(`ledger redrive needs --queue-url URL (the stage's ledger DLQ)\n\n${help}`);
        const { redrive } = await import('../cli/ledger-redrive.js');
        const r = await redrive(url);
        print(`${r.messages} messages, ${r.records} usage records: ${r.written} written, ${r.alreadyPresent} already in the ledger, ${r.left} messages left for later.`);
      },
    },
    replay: {
      options: {},
      positionals: 1,
      async run(a) {
        const file = a.positionals[0];
        if (!file) throw new UsageError(`ledger replay needs a FILE (or - for stdin)\n\n${help}`);
        if (file !== '-' && !existsSync(file)) throw new UsageError(`no such file: ${file}`);
        const { replay } = await import('../cli/replay.js');
        const r = await replay(file, (s) => process.stderr.write(`ezybus: line ${s.line}${s.requestId ? ` (request ${s.requestId})` : ''} skipped: ${s.reason}\n`));
        const skipped = r.skipped.length ? `, ${r.skipped.length} skipped (listed above)` : '';
        print(`${r.lines} lines, ${r.records} usage records: ${r.written} written, ${r.alreadyPresent} already in the ledger${skipped}.`);
        // Everything that could be written was; a distinct code tells scripts that some records were not.
        if (r.skipped.length) process.exitCode = 3;
      },
    },
  },
};
