/**
 * Alarms and dashboard widgets for a Web Functions stage: the same watch a Function URL stage
 * keeps (handler failures, throttling, duration), from the metrics a Web Function has.
 *
 * A Web Function publishes no `Errors`, `Throttles` or `Duration`: it publishes request outcomes
 * per endpoint in `AWS/Lambda/Web` with the `FunctionName` and `EndpointName` dimensions, sparse
 * (no data point in a period without the event), e.g. `HTTPResponseStatusClass5XX` (AWS Lambda
 * docs, "Using CloudWatch metrics with Lambda Web Functions"; aws-cdk-lib's aws-lambda README).
 * So:
 *
 * - error rate — the edge's own `EdgeErrors` (a handler that threw, outran the revision's
 *   timeout or returned before its stream ended: edge-metrics.ts), over the gateway's requests,
 *   the same 5 % as Lambda's `Errors` over `Invocations` in the other mode;
 * - answered by the platform, not the gateway — 5xx and 4xx the endpoint counted beyond those the
 *   gateway's own request lines carry: a crashed or restarting environment (5xx), the endpoint's
 *   rate limit or maxEnvironments turning requests away (4xx: the throttles of this mode — a
 *   request that finds maxEnvironments environments full is throttled, not queued: AWS's agent
 *   toolkit skill for Web Functions, "Scaling and Concurrency");
 * - duration — the gateway's request lines (`durationMs`), as Lambda's `Duration` in the other.
 *
 * The gateway's counts come from metric filters on its log group (every request writes one
 * `"msg":"request"` JSON line, written straight to stdout), so they work in either mode.
 * `HTTPResponseStatusClass4XX` is named after the documented 5XX metric and the docs' 2xx–5xx
 * classes; check it against the metrics a deployed endpoint lists (docs/deploy.md).
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface WebMonitoringProps {
  stage: string;
  /** The Web Function's log group (the revision's loggingConfig). */
  logGroup: logs.ILogGroup;
  functionName: string;
  endpointName: string;
  /** The stack's alarm factory: threshold is ≥, missing data is not breaching, the SNS topic is attached. */
  alarm(id: string, metric: cw.IMetric, threshold: number, description: string): void;
}

const PERIOD = Duration.minutes(5);

/** Gateway request lines by status class: metric filters, so a log line is the only source. */
const GATEWAY_FILTERS = {
  Requests: '{ $.msg = "request" }',
  Responses4xx: '{ $.msg = "request" && $.status >= 400 && $.status < 500 }',
  Responses5xx: '{ $.msg = "request" && $.status >= 500 }',
} as const;

export function webMonitoring(scope: Construct, p: WebMonitoringProps): cw.IWidget[] {
  const filtered = (name: keyof typeof GATEWAY_FILTERS): cw.Metric =>
    new logs.MetricFilter(scope, `Gateway${name}Filter`, {
      logGroup: p.logGroup,
      filterPattern: logs.FilterPattern.literal(GATEWAY_FILTERS[name]),
      metricNamespace: 'EzyBus',
      metricName: `Gateway${name}`,
      metricValue: '1',
      dimensions: { Stage: '$.Stage' },
    }).metric({ period: PERIOD, statistic: 'Sum', dimensionsMap: { Stage: p.stage } });
  const gateway = { Requests: filtered('Requests'), Responses4xx: filtered('Responses4xx'), Responses5xx: filtered('Responses5xx') };
  const durationMs = new logs.MetricFilter(scope, 'GatewayDurationFilter', {
    logGroup: p.logGroup,
    filterPattern: logs.FilterPattern.literal(GATEWAY_FILTERS.Requests),
    metricNamespace: 'EzyBus',
    metricName: 'GatewayDurationMs',
    metricValue: '$.durationMs',
    unit: cw.Unit.MILLISECONDS,
    dimensions: { Stage: '$.Stage' },
  }).metric({ period: Duration.minutes(1), statistic: 'p99', dimensionsMap: { Stage: p.stage } });
  const edgeErrors = new cw.Metric({ namespace: 'EzyBus', metricName: 'EdgeErrors', dimensionsMap: { Stage: p.stage }, statistic: 'Sum', period: PERIOD });
  const platform = (metricName: string): cw.Metric =>
    new cw.Metric({ namespace: 'AWS/Lambda/Web', metricName, dimensionsMap: { FunctionName: p.functionName, EndpointName: p.endpointName }, statistic: 'Sum', period: PERIOD });
  const p5xx = platform('HTTPResponseStatusClass5XX');
  const p4xx = platform('HTTPResponseStatusClass4XX');

  // Sparse metrics: a period without the event has no data point, which FILL turns into 0.
  p.alarm(
    'GatewayErrorRate',
    new cw.MathExpression({ expression: 'IF(FILL(inv, 0) > 20, 100 * FILL(err, 0) / inv, 0)', usingMetrics: { err: edgeErrors, inv: gateway.Requests }, period: PERIOD, label: 'gateway error rate %' }),
    5,
    `gateway: more than 5 % of requests failed in the edge (handler threw, timed out or returned before its stream ended; not upstream errors) over 5 minutes`,
  );
  p.alarm(
    'PlatformErrors',
    new cw.MathExpression({ expression: 'MAX([0, FILL(p5xx, 0) - FILL(g5xx, 0)])', usingMetrics: { p5xx, g5xx: gateway.Responses5xx }, period: PERIOD, label: '5xx not answered by the gateway' }),
    1,
    `gateway: the Web Function endpoint answered 5xx the gateway never wrote (an environment crashed, ran out of memory or was cut)`,
  );
  p.alarm(
    'Throttles',
    new cw.MathExpression({ expression: 'MAX([0, FILL(p4xx, 0) - FILL(g4xx, 0)])', usingMetrics: { p4xx, g4xx: gateway.Responses4xx }, period: PERIOD, label: '4xx not answered by the gateway' }),
    1,
    `gateway: the Web Function endpoint turned requests away before the gateway saw them (rate limit or maxEnvironments reached)`,
  );
  return [
    new cw.GraphWidget({
      title: 'Web Function: request duration p99 (ms), edge errors and platform 5xx',
      left: [durationMs],
      right: [edgeErrors.with({ period: Duration.minutes(1) }), p5xx.with({ period: Duration.minutes(1) }), gateway.Requests.with({ period: Duration.minutes(1) })],
      width: 8,
    }),
  ];
}
