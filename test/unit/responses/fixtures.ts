/**
 * The recorded OpenAI Responses traffic in test/fixtures/real/openai-responses (SOURCES.md):
 * every interaction with its request body, status and response body (SSE text exactly as
 * recorded, or the JSON body).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const RESPONSES_FIXTURES = new URL('../../fixtures/real/openai-responses/', import.meta.url).pathname;

export interface ResponsesInteraction {
  name: string;
  path: string;
  request: Record<string, unknown> | undefined;
  status: number;
  stream: boolean;
  body: string;
}

type Y = Record<string, unknown>;

export function responsesRecorded(): ResponsesInteraction[] {
  const out: ResponsesInteraction[] = [];
  for (const file of readdirSync(RESPONSES_FIXTURES).sort()) {
    const text = readFileSync(join(RESPONSES_FIXTURES, file), 'utf8');
    if (file.endsWith('.json')) {
      out.push({ name: file, path: '/v1/responses', request: undefined, status: 200, stream: false, body: text });
      continue;
    }
    const doc = parse(text) as Y;
    for (const [i, it] of ((doc.interactions as Y[] | undefined) ?? []).entries()) {
      const rq = (it.request ?? {}) as Y;
      const rs = (it.response ?? {}) as Y;
      const uri = String(rq.uri ?? rq.url ?? '');
      const request = typeof rq.body === 'string' ? (JSON.parse(rq.body) as Y) : (rq.parsed_body as Y | undefined);
      const status = Number((rs.status as Y | undefined)?.code ?? rs.code ?? 200);
      const b = rs.body as Y | undefined;
      const body = typeof b?.string === 'string' ? b.string : JSON.stringify(rs.parsed_body);
      out.push({ name: `${file}#${i}`, path: new URL(uri).pathname, request, status, stream: body.startsWith('event:'), body });
    }
  }
  return out;
}
