/**
 * `ezybus usage`: per key, model and day, from the ledger's running totals; table or CSV.
 */
import type { GatewayKey } from '../store/records.js';
import { listTotals } from '../store/repo.js';

export const USAGE_COLUMNS = [
  'requests',
  'errors',
  'inputTokens',
  'cacheReadTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
  'costMicros',
] as const;

export interface UsageRow {
  keyId: string;
  keyName: string;
  day: string;
  model: string;
  values: Record<string, number>;
}

export async function usageRows(keys: GatewayKey[], opts: { from?: string; to?: string; keyId?: string } = {}): Promise<UsageRow[]> {
  const rows: UsageRow[] = [];
  for (const k of keys) {
    if (opts.keyId && k.id !== opts.keyId) continue;
    for (const t of await listTotals(k.id)) {
      const m = /^day#(\d{4}-\d{2}-\d{2})#model#(.+)$/.exec(t.sk);
      if (!m) continue;
      const day = m[1] as string;
      if ((opts.from && day < opts.from) || (opts.to && day > opts.to)) continue;
      rows.push({ keyId: k.id, keyName: k.name, day, model: m[2] as string, values: t.values });
    }
  }
  return rows.sort((a, b) => a.day.localeCompare(b.day) || a.keyId.localeCompare(b.keyId) || a.model.localeCompare(b.model));
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: UsageRow[]): string {
  const head = ['day', 'key_id', 'key_name', 'model', ...USAGE_COLUMNS, 'cost_usd'];
  const lines = [head.join(',')];
  for (const r of rows) {
    const cost = r.values.costMicros ?? 0;
    lines.push(
      [r.day, r.keyId, r.keyName, r.model, ...USAGE_COLUMNS.map((c) => r.values[c] ?? 0), (cost / 1e6).toFixed(6)].map(csvCell).join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export function toTable(rows: UsageRow[]): string {
  if (!rows.length) return 'No usage recorded.';
  const out = ['day         key                  model                      requests   input  output   cost($)'];
  for (const r of rows) {
    const input = (r.values.inputTokens ?? 0) + (r.values.cacheReadTokens ?? 0) + (r.values.cacheWrite5mTokens ?? 0) + (r.values.cacheWrite1hTokens ?? 0);
    out.push(
      `${r.day}  ${r.keyName.slice(0, 20).padEnd(20)} ${r.model.slice(0, 26).padEnd(26)} ${String(r.values.requests ?? 0).padStart(8)} ${String(input).padStart(7)} ${String(r.values.outputTokens ?? 0).padStart(7)} ${((r.values.costMicros ?? 0) / 1e6).toFixed(4).padStart(9)}`,
    );
  }
  return out.join('\n');
}
