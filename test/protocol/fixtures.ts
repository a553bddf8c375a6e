/**
 * Loads the recorded provider traffic in test/fixtures/real as (provider, kind, body) cases,
 * rebuilding genuine SSE bytes from each recording format as SOURCES.md describes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Protocol } from '../../functions/shared/usage/types.js';

export const FIXTURES = new URL('../fixtures/real/', import.meta.url).pathname;

export interface Recorded {
  name: string;
  provider: Protocol;
  stream: boolean;
  status: number;
  body: string;
}

type Y = Record<string, unknown>;

function fromChunks(provider: Protocol, text: string): string {
  const lines = text.split('\n').filter((l) => l.trim());
  if (provider === 'openai') return lines.map((l) => `data: ${l}\n\n`).join('') + 'data: [DONE]\n\n';
  if (provider === 'anthropic') return lines.map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`).join('');
  return lines.map((l) => `data: ${l}\r\n\r\n`).join('');
}

function lastResponse(doc: Y): { status: number; body: string; stream: boolean } | undefined {
  const inter = (doc.interactions as Y[] | undefined) ?? [];
  const last = inter[inter.length - 1];
  const res = (last?.response ?? {}) as Y;
  const status = typeof res.code === 'number' ? res.code : Number((res.status as Y | undefined)?.code ?? 200);
  const headers = JSON.stringify(res.headers ?? {}).toLowerCase();
  if (typeof res.body === 'string') return { status, body: res.body, stream: headers.includes('event-stream') };
  const b = res.body as Y | undefined;
  if (b && typeof b.string === 'string') return { status, body: b.string, stream: headers.includes('event-stream') || b.string.startsWith('data:') || b.string.startsWith('event:') };
  if (res.parsed_body !== undefined) return { status, body: JSON.stringify(res.parsed_body), stream: false };
  return undefined;
}

export function recorded(): Recorded[] {
  const out: Recorded[] = [];
  for (const provider of ['openai', 'anthropic', 'gemini'] as const) {
    for (const file of readdirSync(join(FIXTURES, provider)).sort()) {
      const text = readFileSync(join(FIXTURES, provider, file), 'utf8');
      const name = `${provider}/${file}`;
      const status = Number(/^error-(\d{3})/.exec(file)?.[1] ?? 200);
      if (file.endsWith('.sse')) out.push({ name, provider, stream: true, status: 200, body: text });
      else if (file.endsWith('.chunks.txt')) out.push({ name, provider, stream: true, status: 200, body: fromChunks(provider, text) });
      else if (file.endsWith('.json')) out.push({ name, provider, stream: false, status, body: text });
      else if (file.endsWith('.yaml')) {
        const r = lastResponse(parse(text) as Y);
        if (r) out.push({ name, provider, ...r });
      }
    }
  }
  return out;
}
