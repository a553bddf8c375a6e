/**
 * The fuzzer's parts: a raw-socket HTTP client (so methods, paths, encodings and framing are
 * exactly what we write, not what fetch allows), request generators (fast-check for bodies and
 * headers, hand-written cases for methods, paths, encodings and sizes at and over each limit),
 * and the judge: no 5xx for client input, and every answer in the endpoint's own protocol.
 */
import { connect } from 'node:net';
import fc from 'fast-check';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Write the head bytes as given (already includes CRLFs); for malformed framing. */
  rawHead?: string;
  /** Send the body chunked. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request on its own connection; resolves with whatever the server answered. */
export function rawRequest(url: string, r: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to ${r.method} ${r.path.slice(0, 80)} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', () => undefined); // a server that closes on a malformed request is answered below
    sock.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err as Error);
      }
    });
    sock.on('connect', () => {
      const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
      // No half-close: the server closes the connection after its answer (connection: close).
      if (r.rawHead !== undefined) {
        sock.write(body ? Buffer.concat([Buffer.from(r.rawHead, 'latin1'), body]) : Buffer.from(r.rawHead, 'latin1'));
        return;
      }
      const h: Record<string, string> = { host: u.host, connection: 'close', ...r.headers };
      if (body && !r.chunked) h['content-length'] = String(body.length);
      if (r.chunked) h['transfer-encoding'] = 'chunked';
      const head = `${r.method} ${r.path} HTTP/1.1\r\n${Object.entries(h)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n`;
      sock.write(Buffer.from(head, 'latin1'));
      if (body && r.chunked) {
        for (let i = 0; i < body.length; i += 7919) {
          const part = body.subarray(i, i + 7919);
          sock.write(`${part.length.toString(16)}\r\n`);
          sock.write(part);
          sock.write('\r\n');
        }
        sock.write('0\r\n\r\n');
      } else if (body) sock.write(body);
    });
  });
}

function parseResponse(buf: Buffer): RawResponse {
  const end = buf.indexOf('\r\n\r\n');
  // The connection closed without an answer: judged as a failure, not thrown.
  if (end === -1) return { status: 0, headers: {}, body: buf.toString('latin1') };
  const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let i = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', i);
      if (nl === -1) break;
      const n = parseInt(body.subarray(i, nl).toString('latin1'), 16);
      if (!n) break;
      parts.push(body.subarray(nl + 2, nl + 2 + n));
      i = nl + 2 + n + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status, headers, body: body.toString('utf8') };
}

// ---- the judge ----

export type Shape = 'openai' | 'anthropic' | 'google';

/** The protocol an answer must speak: the endpoint's, or for /v1/models (and every path CloudFront sends there) the one the headers ask for. */
export function expectedShape(path: string, headers: Record<string, string>): Shape {
  const p = path.split('?')[0] ?? '';
  // Gemini's native calls (`/v1beta/models/{model}:method`, also under /v1/) answer in Google's shape.
  if (/^\/v1(beta)?\/models\/[^/]*:/.test(p)) return 'google';
  if (p === '/v1/chat/completions' || p.startsWith('/v1/chat/completions/')) return 'openai';
  // The Responses API and embeddings are OpenAI's own endpoints: their errors are OpenAI's.
  if (p === '/v1/responses' || p.startsWith('/v1/responses/') || p === '/v1/embeddings') return 'openai';
  if (p === '/v1/messages' || p.startsWith('/v1/messages/')) return 'anthropic';
  return Object.keys(headers).some((k) => k.toLowerCase() === 'anthropic-version') ? 'anthropic' : 'openai';
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function errorShapeProblem(shape: Shape, v: unknown): string | undefined {
  if (shape === 'google') {
    const e = isObj(v) ? v.error : undefined;
    return isObj(e) && typeof e.code === 'number' && typeof e.message === 'string' && typeof e.status === 'string' ? undefined : 'not a Google error object';
  }
  if (shape === 'openai') {
    const e = isObj(v) ? v.error : undefined;
    return isObj(e) && typeof e.message === 'string' && typeof e.type === 'string' ? undefined : 'not an OpenAI error object';
  }
  const e = isObj(v) ? v.error : undefined;
  return isObj(v) && v.type === 'error' && isObj(e) && typeof e.type === 'string' && typeof e.message === 'string' ? undefined : 'not an Anthropic error object';
}

/** Every SSE data line parses, and every error event is in the protocol's own shape. */
function sseProblem(shape: Shape, body: string): string | undefined {
  const events = body.split(/\r?\n\r?\n/);
  for (const ev of events) {
    const lines = ev.split(/\r?\n/).filter((l) => l && !l.startsWith(':'));
    if (!lines.length) continue;
    const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
    const data = lines
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (data === '[DONE]' || data === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(data);
    } catch {
      return `SSE data is not JSON: ${data.slice(0, 80)}`;
    }
    const isError = shape === 'anthropic' ? name === 'error' || (isObj(v) && v.type === 'error') : isObj(v) && 'error' in v;
    if (isError) {
      const p = errorShapeProblem(shape, v);
      if (p) return `error event ${p}`;
    }
  }
  return undefined;
}

export type Verdict = { ok: true } | { ok: false; kind: '5xx' | 'shape'; detail: string };

/**
 * Platform answers that no handler gives and none can change: Lambda's own 413 for a request
 * over its 6 MiB invoke payload, and the HTTP server's refusal of unparseable framing (in a stage,
 * the Function URL front end answers those before any function runs).
 */
export function isPlatformAnswer(r: RawResponse): boolean {
  if (r.status === 413 && r.body.includes('for the InvokeFunction operation')) return true;
  return (r.status === 400 || r.status === 431 || r.status === 505) && (r.body === '' || r.headers.connection === 'close') && !r.headers['x-request-id'];
}

export function judge(shape: Shape, r: RawResponse, method = 'POST'): Verdict {
  if (r.status === 0) return { ok: false, kind: 'shape', detail: `connection closed without an answer (${r.body.length} bytes)` };
  if (r.status >= 500) return { ok: false, kind: '5xx', detail: `${r.status} ${r.body.slice(0, 200)}` };
  if (isPlatformAnswer(r)) return { ok: true };
  if (method === 'HEAD') return r.body === '' ? { ok: true } : { ok: false, kind: 'shape', detail: 'a HEAD answer with a body' };
  const ct = r.headers['content-type'] ?? '';
  if (r.status >= 200 && r.status < 300) {
    if (ct.startsWith('text/event-stream')) {
      const p = sseProblem(shape, r.body);
      return p ? { ok: false, kind: 'shape', detail: p } : { ok: true };
    }
    try {
      JSON.parse(r.body);
      return { ok: true };
    } catch {
      return { ok: false, kind: 'shape', detail: `2xx body is not JSON: ${r.body.slice(0, 80)}` };
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(r.body);
  } catch {
    return { ok: false, kind: 'shape', detail: `${r.status} body is not JSON: ${r.body.slice(0, 120)}` };
  }
  const p = errorShapeProblem(shape, v);
  return p ? { ok: false, kind: 'shape', detail: `${r.status} ${p}: ${r.body.slice(0, 160)}` } : { ok: true };
}

// ---- generators ----

export const ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/v1/responses',
  '/v1/responses/input_tokens',
  '/v1/embeddings',
  '/v1beta/models/gemini-test:generateContent',
  '/v1beta/models/gemini-test:streamGenerateContent',
  '/v1beta/models/gpt-test:countTokens',
  '/v1/models',
] as const;
export const MODELS = ['gpt-test', 'claude-test', 'gemini-test'] as const;

const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '%zz', '../../etc/passwd', '__proto__', 'constructor', '[[sim:fail=500]]'.replace('500', '400'), 'null'),
);
const anyValue = fc.oneof(weirdString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(weirdString, { maxLength: 3 }), fc.dictionary(weirdString, weirdString, { maxKeys: 3 }));

const contentPart = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.oneof(weirdString, anyValue) }),
  fc.record({ type: fc.constantFrom('image_url', 'image', 'file', 'tool_use', 'tool_result', 'thinking', 'document', 'input_audio'), text: anyValue }, { requiredKeys: ['type'] }),
  fc.record({ type: anyValue, image_url: fc.record({ url: fc.oneof(weirdString, fc.constant('data:image/png;base64,AAAA')) }) }, { requiredKeys: [] }),
  anyValue,
);
const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'developer', 'tool', 'function'), anyValue),
    content: fc.oneof(weirdString, fc.array(contentPart, { maxLength: 3 }), anyValue),
    tool_calls: fc.array(fc.record({ id: anyValue, type: fc.constant('function'), function: fc.record({ name: anyValue, arguments: fc.oneof(fc.constant('{}'), fc.constant('{bad'), weirdString) }) }), { maxLength: 2 }),
    tool_call_id: anyValue,
    name: anyValue,
  },
  { requiredKeys: ['role'] },
);

/** A JSON object body, mostly near-valid so that it gets past the first checks. */
export const bodyObject = fc.record(
  {
    model: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...MODELS) }, { weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: fc.string({ minLength: 250, maxLength: 300 }) }),
    messages: fc.oneof({ weight: 4, arbitrary: fc.array(message, { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: anyValue }),
    max_tokens: fc.oneof(fc.integer({ min: 1, max: 64 }), anyValue),
    stream: fc.oneof({ weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyValue }),
    stream_options: fc.oneof(fc.record({ include_usage: anyValue }), anyValue),
    system: fc.oneof(weirdString, fc.array(contentPart, { maxLength: 2 }), anyValue),
    tools: fc.oneof(fc.array(fc.record({ type: fc.oneof(fc.constant('function'), anyValue), function: fc.record({ name: anyValue, parameters: anyValue }), name: anyValue, input_schema: anyValue }), { maxLength: 2 }), anyValue),
    tool_choice: anyValue,
    thinking: fc.oneof(fc.record({ type: fc.constantFrom('enabled', 'adaptive', 'disabled'), budget_tokens: anyValue }), anyValue),
    temperature: anyValue,
    n: anyValue,
    response_format: anyValue,
    metadata: anyValue,
    stop: anyValue,
    reasoning_effort: anyValue,
    // The Responses, Gemini and embeddings shapes' own fields, so those endpoints get near-valid bodies too.
    input: fc.oneof(weirdString, fc.array(message, { maxLength: 3 }), fc.array(weirdString, { maxLength: 3 }), anyValue),
    instructions: anyValue,
    include: anyValue,
    contents: fc.oneof(fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'model'), anyValue), parts: fc.oneof(fc.array(fc.record({ text: anyValue }, { requiredKeys: [] }), { maxLength: 2 }), anyValue) }, { requiredKeys: [] }), { maxLength: 3 }), anyValue),
    generationConfig: anyValue,
    systemInstruction: anyValue,
  },
  { requiredKeys: [] },
);

/** Body text: the object above, JSON with tricks (duplicate keys, BOM, odd numbers), or not JSON at all. */
export const bodyText = fc.oneof(
  { weight: 6, arbitrary: bodyObject.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...MODELS), bodyObject).map(([m, o]) => `{"model":1,${JSON.stringify(o).slice(1, -1) || '"x":1'},"model":${JSON.stringify(m)}}`) },
  { weight: 1, arbitrary: bodyObject.map((o) => `\ufeff${JSON.stringify(o)}`) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', 'null', '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"max_tokens":1e400}', '{"model":"gpt-test","messages":[{"role":"user","content":"\\ud800"}]}') },
);

export function headerArb(key: string): fc.Arbitrary<Record<string, string>> {
  const token = fc.oneof({ weight: 6, arbitrary: fc.constant(key) }, { weight: 1, arbitrary: fc.string({ maxLength: 60 }) }, { weight: 1, arbitrary: fc.constant(`${key}x`) });
  return fc
    .record(
      {
        auth: fc.oneof(
          { weight: 5, arbitrary: token.map((t) => ({ authorization: `Bearer ${t}` })) },
          { weight: 5, arbitrary: token.map((t) => ({ 'x-api-key': t })) },
          { weight: 1, arbitrary: fc.constant({}) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((v) => ({ authorization: v })) },
        ),
        ct: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', ''),
        av: fc.oneof(fc.constant(undefined), fc.constantFrom('2023-06-01', '', 'garbage')),
        beta: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 30 })),
      },
      { requiredKeys: ['auth', 'ct'] },
    )
    .map(({ auth, ct, av, beta }) => {
      const h: Record<string, string> = { ...auth };
      if (ct) h['content-type'] = ct;
      if (av !== undefined) h['anthropic-version'] = av;
      if (beta !== undefined) h['anthropic-beta'] = beta.replace(/[\r\n]/g, '');
      // Header values must be writable on the wire; the fuzzer tests the gateway, not our client.
      for (const [k, v] of Object.entries(h)) h[k] = v.replace(/[^\t\x20-\x7e]/g, '');
      return h;
    });
}

/** Methods, paths, encodings and framing, written by hand: what fast-check would rarely find. */
export function handCases(key: string, maxBodyBytes: number): RawRequest[] {
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const valid = JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
  const padTo = (n: number): string => {
    const base = '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"pad":"';
    return base + 'x'.repeat(n - base.length - 2) + '"}';
  };
  const cases: RawRequest[] = [];
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO', 'POST']) {
    for (const path of [...ENDPOINTS, '/v1/models/gpt-test']) cases.push({ method, path, headers: auth, ...(method === 'GET' || method === 'HEAD' ? {} : { body: valid }) });
  }
  const paths = [
    '/v1/models/%zz',
    '/v1/models/%',
    '/v1/models/%E0%A4%A',
    '/v1/models/a%2Fb',
    '/v1/models/%00',
    `/v1/models/${'m'.repeat(300)}`,
    `/v1/models/${'%C3%A9'.repeat(200)}`,
    '/v1/models/',
    '/v1/models?limit=abc&after_id=%zz',
    '/v1/models?limit=-5&before_id=',
    '/v1/models?limit=99999999999999999999',
    '/v1/chat/completions/',
    '/v1/chat/completions/x',
    '/v1/chat/completions?x=%zz',
    '/v1/messages?beta=true',
    '/v1/messages/count_tokens',
    '/v1/responses',
    '/',
    '//v1/models',
    '/v1/../v1/models',
    '/%2e%2e/etc/passwd',
    `/${'a'.repeat(4000)}`,
  ];
  for (const path of paths) {
    cases.push({ method: 'GET', path, headers: auth });
    cases.push({ method: 'POST', path, headers: auth, body: valid });
    cases.push({ method: 'GET', path, headers: { ...auth, 'anthropic-version': '2023-06-01' } });
  }
  // Encodings: the Function URL base64-encodes non-textual bodies.
  const enc: Array<[string, Buffer]> = [
    ['application/octet-stream', Buffer.from(valid)],
    ['application/json; charset=utf-16le', Buffer.from(valid, 'utf16le')],
    ['application/json', Buffer.from([0xff, 0xfe, 0x7b, 0x00])],
    ['application/json', Buffer.concat([Buffer.from('{"model":"gpt-test","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('"}]}')])],
    ['application/x-www-form-urlencoded', Buffer.from('model=gpt-test&messages=hi')],
    ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ];
  for (const path of ['/v1/chat/completions', '/v1/messages']) {
    for (const [ct, body] of enc) cases.push({ method: 'POST', path, headers: { authorization: `Bearer ${key}`, 'content-type': ct }, body });
    cases.push({ method: 'POST', path, headers: { ...auth, 'content-encoding': 'gzip' }, body: valid });
    cases.push({ method: 'POST', path, headers: auth, body: valid, chunked: true });
    // Sizes at and over the body limit (EZYBUS_MAX_BODY_BYTES) and over Lambda's 6 MiB.
    cases.push({ method: 'POST', path, headers: { ...auth, 'anthropic-version': '2023-06-01' }, body: padTo(maxBodyBytes) });
    cases.push({ method: 'POST', path, headers: auth, body: padTo(maxBodyBytes + 1) });
    cases.push({ method: 'POST', path, headers: { ...auth, 'content-type': 'application/octet-stream' }, body: padTo(Math.floor((maxBodyBytes * 3) / 4) + 3) });
    cases.push({ method: 'POST', path, headers: auth, body: padTo(6 * 1024 * 1024 + 1) });
    // Header sizes: one huge header, many headers, a huge key.
    cases.push({ method: 'POST', path, headers: { ...auth, 'x-big': 'b'.repeat(12_000) }, body: valid });
    cases.push({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization: `Bearer ${'k'.repeat(10_000)}` }, body: valid });
    cases.push({ method: 'POST', path, headers: Object.fromEntries([...Array.from({ length: 90 }, (_, i) => [`x-h${i}`, 'v']), ...Object.entries(auth)]), body: valid });
    // Framing the HTTP server itself refuses.
    cases.push({ method: 'POST', path, headers: {}, rawHead: `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n`, body: 'hello!' });
    cases.push({ method: 'POST', path, headers: {}, rawHead: `POST ${path} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n` });
    cases.push({ method: 'POST', path, headers: {}, rawHead: `POST ${path} HTTP/9.9\r\nHost: x\r\n\r\n` });
  }
  return cases;
}
