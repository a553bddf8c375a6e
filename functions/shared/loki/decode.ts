/** CloudWatch Logs subscription payloads: base64 of gzip of JSON. */
import { gunzipSync } from 'node:zlib';

export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface LogsPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: LogEvent[];
}

/** The payload's events, or none for the CONTROL_MESSAGE CloudWatch sends to test a destination. */
export function decodeSubscription(data: string): LogsPayload | undefined {
  const p = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as LogsPayload;
  return p.messageType === 'CONTROL_MESSAGE' ? undefined : p;
}
