/**
 * The cost of one million requests in each compute mode, from what the benchmark measures
 * (compute-modes.ts) and AWS's rates. Pure: figures in, dollars out, so it has its own test.
 *
 * Function URL mode bills each request's whole wall time at the function's configured memory.
 * Web Functions bill requests, active CPU time, memory over each environment's life and data
 * transfer (AWS Lambda docs, "AWS Lambda Web Functions"); memory "is billed on consumption, not
 * on a provisioned setting" — an environment is 2 vCPU and 2 GB with no memory dial (AWS's agent
 * toolkit, skills/…/aws-lambda-web-functions/SKILL.md, "Cost Model"). So the Web Functions memory
 * term is given two ways: on the memory an environment was measured to hold (its idle floor plus
 * `concurrency` open streams), and — the comparison "at the same memory size" — on the Function
 * URL function's configured memory, an upper bound.
 */

export interface ModeFigures {
  mode: 'function-urls' | 'web-functions';
  cpuMsPerRequest: number;
  cpuMicrosPerChunk: number;
  idleRssMiB: number;
  kibPerOpenStream: number;
}

/**
 * AWS rates, us-east-1, arm64, read 2026-12-01.
 *
 * Function URL mode: aws.amazon.com/lambda/pricing — requests $0.20 per million, duration
 * $0.0000133334 per GB-second on Arm.
 *
 * Web Functions: no published per-unit rate was found. Searched on 2026-12-01 (this session's
 * search tool, its docs and pages corpora): "AWS Lambda Web Functions pricing", "active CPU",
 * "WebFunction", "AWS::Lambda::WebFunction" (the CloudFormation resource pages),
 * "aws-cdk-lib CfnWebFunction" (the CDK API page and aws-cdk-lib's own aws-lambda README),
 * the Web Functions developer guide (overview, scaling, monitoring, EMF pages), the lambda-web
 * API reference (AccountQuotas, ThrottleConfig) and AWS's agent toolkit skill for Web Functions.
 * All name the billing dimensions; none gives a rate (the skill says to read the pricing page,
 * whose stored copies predate Web Functions or render their tables client-side). Stand-ins,
 * each used for exactly one term:
 *   - active CPU: Lambda MicroVM Arm vCPU-second (AWS Price List API,
 *     Lambda-MicroVM-vCPU-Second-ARM, published 2026-08-07), $0.0000276944;
 *   - environment memory: Lambda MicroVM Arm GB-second (Lambda-MicroVM-Memory-GB-Second-ARM,
 *     same publication), $0.0000036667;
 *   - requests: Lambda's own $0.20 per million.
 * The model is linear in each: replace them when the Web Functions rates can be read.
 */
export const RATES = {
  requestPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  webVcpuSecond: 0.0000276944,
  webGbSecond: 0.0000036667,
  read: '2026-12-01',
  source: 'Function URLs: aws.amazon.com/lambda/pricing (Arm, us-east-1).',
  standIns:
    'Web Functions: no published rate found (searched 2026-12-01: "AWS Lambda Web Functions pricing", "active CPU", "WebFunction", AWS::Lambda::WebFunction, aws-cdk-lib CfnWebFunction, the Web Functions guide and API reference). Stand-ins: active CPU at the Lambda MicroVM Arm vCPU-second rate ($0.0000276944), environment memory at the MicroVM Arm GB-second rate ($0.0000036667), both from the AWS Price List API, published 2026-08-07; requests at $0.20 per million.',
} as const;

export interface CostInputs {
  streamSeconds: number;
  /** Chunks in one stream (tokens at the stream's pace). */
  chunksPerStream: number;
  /** How long a short non-stream request waits on its upstream. */
  shortSeconds: number;
  /** The Function URL function's memory, and the Web Functions upper bound. */
  memoryMb: number;
  /** Concurrent requests an environment holds in Web Functions mode. */
  concurrency: number;
}

export type CostBasis = 'configured' | 'measured';

export interface CostRow {
  mode: ModeFigures['mode'];
  workload: 'stream' | 'short';
  /** Web Functions' memory term: on the configured memory (upper bound) or the measured RSS. */
  basis: CostBasis;
  requests: number;
  compute: number;
  memory: number;
  total: number;
}

/** The memory one Web Functions environment holds with `concurrency` streams open, in GB. */
export function environmentGb(web: ModeFigures, concurrency: number): number {
  return (web.idleRssMiB + (concurrency * web.kibPerOpenStream) / 1024) / 1024;
}

/**
 * Per million requests. Function URLs: wall time plus EzyBus's CPU, at the configured memory.
 * Web Functions: the CPU used, and the environment's memory for the share of its life one
 * request occupies (wall ÷ concurrency) — environments assumed full, as under steady load.
 */
export function costModels(f: Record<ModeFigures['mode'], ModeFigures>, c: CostInputs): CostRow[] {
  const rows: CostRow[] = [];
  const furl = f['function-urls'];
  const web = f['web-functions'];
  const cpuSeconds = (m: ModeFigures, chunks: number): number => (m.cpuMsPerRequest + (chunks * m.cpuMicrosPerChunk) / 1000) / 1000;
  for (const workload of ['stream', 'short'] as const) {
    const wall = workload === 'stream' ? c.streamSeconds : c.shortSeconds;
    const chunks = workload === 'stream' ? c.chunksPerStream : 0;
    const furlCompute = 1e6 * (wall + cpuSeconds(furl, chunks)) * (c.memoryMb / 1024) * RATES.lambdaGbSecond;
    rows.push({ mode: 'function-urls', workload, basis: 'configured', requests: RATES.requestPerMillion, compute: furlCompute, memory: 0, total: RATES.requestPerMillion + furlCompute });
    const webCompute = 1e6 * cpuSeconds(web, chunks) * RATES.webVcpuSecond;
    for (const [basis, gb] of [['configured', c.memoryMb / 1024], ['measured', environmentGb(web, c.concurrency)]] as const) {
      const webMemory = 1e6 * (wall / c.concurrency) * gb * RATES.webGbSecond;
      rows.push({ mode: 'web-functions', workload, basis, requests: RATES.requestPerMillion, compute: webCompute, memory: webMemory, total: RATES.requestPerMillion + webCompute + webMemory });
    }
  }
  return rows;
}

/** Function URL cost ÷ Web Functions cost for one workload and memory basis. */
export function ratio(rows: CostRow[], workload: CostRow['workload'], basis: CostBasis): number {
  const total = (mode: CostRow['mode'], b: CostBasis): number => rows.find((r) => r.mode === mode && r.workload === workload && r.basis === b)?.total ?? NaN;
  return total('function-urls', 'configured') / total('web-functions', basis);
}
