/**
 * The fuzz run: a whole local EzyBus (simulator, dynalite, local keyring, the Lambda handlers
 * on the local Function URL runtime), then every hand-written case and `runs` fast-check
 * requests spread over the endpoints, each judged (no 5xx; the endpoint's own shape).
 *
 *   npm run fuzz -- --runs 5000 [--seed 42]     the long run; prints the figures as JSON
 *
 * test/fuzz/fuzz.test.ts runs a bounded version inside `npm test`.
 */
import fc from 'fast-check';
import { startStack, type Stack } from '../helpers/stack.js';
import { bodyText, ENDPOINTS, expectedShape, handCases, headerArb, judge, rawRequest, type RawRequest } from './harness.js';

export interface FuzzFigures {
  requests: number;
  handCases: number;
  generated: number;
  status: Record<string, number>;
  fiveXx: number;
  nonProtocol: number;
  failures: Array<{ method: string; path: string; kind: string; detail: string; body?: string }>;
}

export const FUZZ_MAX_BODY_BYTES = 256 * 1024;

export async function withFuzzStack<T>(fn: (s: Stack) => Promise<T>): Promise<T> {
  // A smaller body limit keeps the at-and-over-limit cases quick; the code path is the same.
  const s = await startStack({ EZYBUS_MAX_BODY_BYTES: String(FUZZ_MAX_BODY_BYTES), EZYBUS_HEARTBEAT_MS: '60000' });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

export async function fuzz(s: Stack, opts: { runs: number; seed: number; hand?: boolean }): Promise<FuzzFigures> {
  const figures: FuzzFigures = { requests: 0, handCases: 0, generated: 0, status: {}, fiveXx: 0, nonProtocol: 0, failures: [] };
  const one = async (r: RawRequest): Promise<void> => {
    const res = await rawRequest(s.url, r);
    figures.requests++;
    figures.status[String(res.status)] = (figures.status[String(res.status)] ?? 0) + 1;
    const v = judge(expectedShape(r.path, r.headers), res, r.method);
    if (!v.ok) {
      if (v.kind === '5xx') figures.fiveXx++;
      else figures.nonProtocol++;
      if (figures.failures.length < 50) {
        const body = typeof r.body === 'string' ? r.body.slice(0, 300) : r.body?.subarray(0, 300).toString('latin1');
        figures.failures.push({ method: r.method, path: r.path.slice(0, 120), kind: v.kind, detail: v.detail, ...(body !== undefined ? { body } : {}) });
      }
    }
  };
  if (opts.hand !== false) {
    for (const c of handCases(s.key, FUZZ_MAX_BODY_BYTES)) {
      await one(c);
      figures.handCases++;
    }
  }
  const query = fc.oneof(fc.constant(''), fc.constant('?beta=true'), fc.string({ maxLength: 20 }).map((q) => `?${encodeURIComponent(q)}`));
  const arb = fc.record({ path: fc.constantFrom(...ENDPOINTS), query, headers: headerArb(s.key), body: bodyText, method: fc.constantFrom('POST', 'POST', 'POST', 'GET') });
  await fc.assert(
    fc.asyncProperty(arb, async ({ path, query: q, headers, body, method }) => {
      await one({ method: path === '/v1/models' ? 'GET' : method, path: path + q, headers, ...(path === '/v1/models' && method !== 'POST' ? {} : { body }) });
      figures.generated++;
      return true; // judged into the figures; the test asserts on them
    }),
    { numRuns: opts.runs, seed: opts.seed, endOnFailure: true },
  );
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const runs = arg('runs', 5000);
  const seed = arg('seed', 42);
  const t0 = Date.now();
  const figures = await withFuzzStack((s) => fuzz(s, { runs, seed }));
  process.stdout.write(`${JSON.stringify({ seed, seconds: Math.round((Date.now() - t0) / 1000), ...figures }, null, 2)}\n`);
  process.exit(figures.fiveXx || figures.nonProtocol ? 1 : 0);
}
