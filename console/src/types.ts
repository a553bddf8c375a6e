/**
 * Shapes of the admin API's answers, as the console reads them. Where the server has the type,
 * it is imported (type-only: nothing of the server's code reaches the bundle).
 */
import type { GatewayKeyView } from '../../functions/shared/admin/ops.js';
import type { Overview as ServerOverview } from '../../functions/shared/admin/overview.js';
import type { UsageRow as ServerUsageRow } from '../../functions/shared/admin/usage-report.js';
import type { Route as ServerRoute } from '../../functions/shared/store/records.js';
import type { RequestRow as ServerRequestRow } from '../../functions/shared/usage/recent.js';

export type { Group } from '../../functions/shared/admin/overview.js';
export type Overview = ServerOverview & { spendTodayMicros: number; requestsToday: number; today: string; truncated: boolean };
export type GatewayKey = GatewayKeyView;
export type Route = ServerRoute;
export type RequestRow = ServerRequestRow;
export type UsageRow = ServerUsageRow;

export interface UpstreamKey {
  id: string;
  hint: string;
  disabled: boolean;
  reason?: string;
  state: 'ready' | 'cooling' | 'probing' | 'disabled';
  coolingForMs?: number;
  health?: { until: number; failures: number; disabled?: string; probeAfter?: number };
}

export interface Upstream {
  id: string;
  protocol: string;
  baseUrl: string;
  disabled?: boolean;
  keys: UpstreamKey[];
}
