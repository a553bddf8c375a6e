/**
 * Lambda entry: CloudWatch Logs subscription → Grafana Loki. Invoked asynchronously by
 * CloudWatch Logs; a thrown error makes Lambda retry and then send the event to the DLQ.
 */
import { decodeSubscription } from './shared/loki/decode.js';
import { functionFromLogGroup, toEntry } from './shared/loki/entries.js';
import { shipperConfig, type ShipperConfig } from './shared/loki/config.js';
import { tenantLimits, type TenantLimits } from './shared/loki/limits.js';
import { createLokiPusher } from './shared/loki/push.js';

/** What CloudWatch Logs sends a subscribed function. */
export interface CloudWatchLogsEvent {
  awslogs: { data: string };
}

let cfg: ShipperConfig | undefined;
let limits: TenantLimits | undefined;
let pusher: ReturnType<typeof createLokiPusher> | undefined;

export async function handler(event: CloudWatchLogsEvent): Promise<{ entries: number; pushes: number }> {
  cfg ??= shipperConfig();
  const c = cfg;
  limits ??= tenantLimits();
  const l = limits;
  pusher ??= createLokiPusher({ url: c.url, tenant: c.tenant, auth: c.auth, maxBatchBytes: l.maxPushBytes, maxBatchEntries: l.maxPushEntries, maxLineBytes: l.maxLineBytes });
  const payload = decodeSubscription(event.awslogs.data);
  if (!payload) return { entries: 0, pushes: 0 };
  const fn = functionFromLogGroup(payload.logGroup, c.stage);
  const bounds = { maxValueBytes: l.maxMetadataValueBytes, maxTotalBytes: l.maxMetadataBytes };
  const entries = payload.logEvents.map((e) => toEntry(e.message, e.timestamp, { stage: c.stage, fn }, bounds));
  const pushes = await pusher.push(entries);
  return { entries: entries.length, pushes };
}

/** Tests construct a fresh configuration after changing the environment. */
export function resetShipper(): void {
  cfg = undefined;
  limits = undefined;
  pusher = undefined;
}
