/**
 * What the Web Functions edge reports about itself, as CloudWatch Embedded Metric Format fields
 * on its own log line. Behind a Function URL, Lambda counts a handler that threw or timed out in
 * its `Errors` metric; a Web Function publishes only request outcomes and resource use (AWS
 * Lambda docs, "Using CloudWatch metrics with Lambda Web Functions"), so the edge counts those
 * failures itself. EMF works the same from a Web Function as from any Lambda function: a JSON
 * object written straight to stdout, one per line (AWS Lambda docs, "Publishing custom metrics
 * with the embedded metric format" for Web Functions), which is how log.ts writes every line.
 *
 * Namespace `EzyBus`, dimension `Stage` only: the stack's alarm reads exactly this metric.
 */

export type EdgeMetric = 'EdgeErrors' | 'ShutdownCuts';

/** The fields to merge into a log line so CloudWatch counts `value` for `name` in `stage`. */
export function edgeMetricFields(stage: string, name: EdgeMetric, value = 1, now = Date.now()): Record<string, unknown> {
  return {
    _aws: { Timestamp: now, CloudWatchMetrics: [{ Namespace: 'EzyBus', Dimensions: [['Stage']], Metrics: [{ Name: name, Unit: 'Count' }] }] },
    Stage: stage,
    [name]: value,
  };
}
