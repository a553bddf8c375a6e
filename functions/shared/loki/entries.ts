/**
 * Log lines → Loki entries. Labels stay few and bounded (stage, function, level, provider,
 * status class), so Loki's stream count does not grow with traffic; per-request fields go to
 * structured metadata, and the line itself is kept exactly as written.
 */
export interface Entry {
  labels: Record<string, string>;
  /** Nanoseconds since the epoch, as a decimal string (Loki's format). */
  ts: string;
  line: string;
  metadata: Record<string, string>;
}

const METADATA = ['requestId', 'model', 'ttfbMs', 'durationMs', 'costMicros', 'attempts', 'keyId', 'upstreamId', 'errorType'] as const;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);
// The record names of the wire protocols (usage/types.ts Protocol): the label dashboards know.
const PROVIDERS = new Set(['openai', 'anthropic', 'gemini']);

/** `/aws/lambda/ezybus-prod-chat-completions` → `chat-completions`. */
export function functionFromLogGroup(logGroup: string, stage: string): string {
  const name = logGroup.split('/').pop() ?? logGroup;
  const prefix = `ezybus-${stage}-`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Per-value and total bounds on structured metadata (names + values, UTF-8 bytes, as Loki counts). */
export interface MetadataBounds {
  maxValueBytes: number;
  maxTotalBytes: number;
}
const DEFAULT_BOUNDS: MetadataBounds = { maxValueBytes: 512, maxTotalBytes: 8 * 1024 };

function cut(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  return `${Buffer.from(s).subarray(0, Math.max(0, maxBytes - 3)).toString('utf8').replace(/\uFFFD+$/, '')}…`;
}

/**
 * Metadata fields from a parsed line: the top-level field, else the usage record's. Each value
 * is cut to its bound; a field that would take the total over its bound is left out (the line
 * still holds it), so no entry can be refused for its metadata.
 */
function metadataOf(parsed: Record<string, unknown>, bounds: MetadataBounds): Record<string, string> {
  const record = parsed.record && typeof parsed.record === 'object' ? (parsed.record as Record<string, unknown>) : {};
  const out: Record<string, string> = {};
  let total = 0;
  for (const k of METADATA) {
    const v = parsed[k] ?? record[k];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const value = cut(String(v), bounds.maxValueBytes);
    const size = Buffer.byteLength(k) + Buffer.byteLength(value);
    if (total + size > bounds.maxTotalBytes) continue;
    out[k] = value;
    total += size;
  }
  return out;
}

export function toEntry(message: string, timestampMs: number, defaults: { stage: string; fn: string }, bounds: MetadataBounds = DEFAULT_BOUNDS): Entry {
  const line = message.endsWith('\n') ? message.slice(0, -1) : message;
  const labels: Record<string, string> = { stage: defaults.stage, function: defaults.fn, level: 'info' };
  const metadata: Record<string, string> = {};
  let parsed: Record<string, unknown> | undefined;
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as unknown;
      if (o && typeof o === 'object' && !Array.isArray(o)) parsed = o as Record<string, unknown>;
    } catch {
      // not JSON after all: shipped as text
    }
  }
  if (parsed) {
    if (typeof parsed.level === 'string' && LEVELS.has(parsed.level)) labels.level = parsed.level;
    if (typeof parsed.stage === 'string' && /^[a-z][a-z0-9-]{0,20}$/.test(parsed.stage)) labels.stage = parsed.stage;
    if (typeof parsed.fn === 'string' && /^[a-z-]{1,40}$/.test(parsed.fn)) labels.function = parsed.fn;
    if (typeof parsed.provider === 'string' && PROVIDERS.has(parsed.provider)) labels.provider = parsed.provider;
    if (typeof parsed.status === 'number' && parsed.status >= 100 && parsed.status < 600) labels.status_class = `${Math.floor(parsed.status / 100)}xx`;
    Object.assign(metadata, metadataOf(parsed, bounds));
  } else if (/^(START|END|REPORT|INIT_START) /.test(line)) {
    labels.level = 'info';
  } else if (/\b(ERROR|Error|Task timed out)\b/.test(line)) {
    labels.level = 'error';
  }
  return { labels, ts: (BigInt(Math.trunc(timestampMs)) * 1_000_000n).toString(), line, metadata };
}
