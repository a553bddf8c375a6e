/**
 * Lambda entry: CloudWatch Logs subscription → Grafana Loki. Invoked asynchronously by
 * CloudWatch Logs; a thrown error makes Lambda retry and then send the event to the DLQ.
 */
import type { Env } from './shared/config.js';
import { decodeSubscription } from './shared/loki/decode.js';
import { functionFromLogGroup, toEntry } from './shared/loki/entries.js';
import { shipperConfig, type ShipperConfig } from './shared/loki/config.js';
import { tenantLimits, type TenantLimits } from './shared/loki/limits.js';
import { createLokiPusher } from './shared/loki/push.js';

/** What CloudWatch Logs sends a subscribed function. */
export interface CloudWatchLogsEvent {
  awslogs: { data: string };
}

export type ShipperHandler = (event: CloudWatchLogsEvent) => Promise<{ entries: number; pushes: number }>;

/**
 * The shipper for one function environment. Its settings are parsed on the first invocation, so
 * a misconfigured function fails its invocations (CloudWatch Logs retries them, then the DLQ
 * holds them for `ezybus loki redrive`) instead of its init.
 */
export function shipperHandler(env: Env): ShipperHandler {
  let state: { c: ShipperConfig; l: TenantLimits; pusher: ReturnType<typeof createLokiPusher> } | undefined;
  return async (event) => {
    if (!state) {
      const c = shipperConfig(env);
      const l = tenantLimits(env);
      state = { c, l, pusher: createLokiPusher({ url: c.url, tenant: c.tenant, auth: c.auth, maxBatchBytes: l.maxPushBytes, maxBatchEntries: l.maxPushEntries, maxLineBytes: l.maxLineBytes }) };
    }
    const { c, l, pusher } = state;
    const payload = decodeSubscription(event.awslogs.data);
    if (!payload) return { entries: 0, pushes: 0 };
    const fn = functionFromLogGroup(payload.logGroup, c.stage);
    const bounds = { maxValueBytes: l.maxMetadataValueBytes, maxTotalBytes: l.maxMetadataBytes };
    const entries = payload.logEvents.map((e) => toEntry(e.message, e.timestamp, { stage: c.stage, fn }, bounds));
    const pushes = await pusher.push(entries);
    return { entries: entries.length, pushes };
  };
}

/** The function's environment, read once at init (a copy: nothing later changes what it saw). */
export const handler = shipperHandler({ ...process.env });
