/**
 * A Node request as a Lambda Function URL event (payload format 2.0): lower-cased headers, cookies
 * split out, rawPath and rawQueryString, the body base64-encoded unless its content type is
 * textual. The local Function URL runtime (local/runtime.ts) and the Web Functions edge
 * (node-edge.ts) both build it, so the handlers see one event shape in every mode.
 */
import { crypto } from './builtins.js';
import type { IncomingMessage } from 'node:http';
import type { FunctionUrlEvent } from './awslambda.js';

const { randomUUID } = crypto;

/** Function URLs pass textual bodies as-is and base64-encode everything else. */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = contentType.toLowerCase();
  return (
    ct.startsWith('text/') ||
    ct.includes('json') ||
    ct.includes('xml') ||
    ct.includes('javascript') ||
    ct.includes('x-www-form-urlencoded') ||
    ct.includes('yaml')
  );
}

/** A request body from its chunks: a one-chunk body (the usual small request) is passed on uncopied. */
export function joinChunks(chunks: Buffer[], size: number): Buffer {
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

export function toFunctionUrlEvent(req: IncomingMessage, body: Buffer, host: string, requestId: string = randomUUID()): FunctionUrlEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQueryString = q === -1 ? '' : url.slice(q + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  const given = req.headers;
  for (const name in given) {
    const value = given[name];
    if (value === undefined) continue;
    const v = typeof value === 'string' ? value : value.join(',');
    if (name === 'cookie') cookies = v.split(/;\s*/).filter(Boolean);
    else headers[name] = v;
  }
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[k] = k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
    }
  }
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  const event: FunctionUrlEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: host,
      domainPrefix: 'local',
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
    },
    isBase64Encoded: body.length > 0 && !textual,
  };
  if (cookies) event.cookies = cookies;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (body.length > 0) event.body = textual ? body.toString('utf8') : body.toString('base64');
  return event;
}
