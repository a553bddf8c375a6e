/** `ezybus usage`: per key, model and day from the ledger's running totals (table or CSV). */
import { listGatewayKeys } from '../../functions/shared/store/repo.js';
import { toCsv, toTable, usageRows } from '../../functions/shared/admin/usage-report.js';
import { flag, one, UsageError, type Command } from '../cli/command.js';

export const command: Command = {
  help: `Usage:
  ezybus usage [--key ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv]

Per key, model and day, from the ledger's running totals.`,
  actions: {
    options: { key: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, csv: { type: 'boolean' } },
    async run(a) {
      for (const d of ['from', 'to'] as const) {
        const v = one(a, d);
        if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new UsageError(`--${d} must be YYYY-MM-DD, got '${v}'`);
      }
      const from = one(a, 'from');
      const to = one(a, 'to');
      const keyId = one(a, 'key');
      const rows = await usageRows(await listGatewayKeys(), { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(keyId ? { keyId } : {}) });
      process.stdout.write(flag(a, 'csv') ? toCsv(rows) : toTable(rows) + '\n');
    },
  },
};
