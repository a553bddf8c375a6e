/** The Web Functions edge's own metrics: valid CloudWatch Embedded Metric Format on its log line. */
import { describe, expect, it } from 'vitest';
import { edgeMetricFields } from '../../functions/shared/runtime/edge-metrics.js';

describe('edgeMetricFields', () => {
  it('is one EMF directive whose dimension and metric are top-level members of the line', () => {
    const line = JSON.parse(JSON.stringify({ level: 'error', msg: 'handler threw: Error', ...edgeMetricFields('prod', 'EdgeErrors', 1, 1_700_000_000_000) })) as Record<string, unknown> & {
      _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
    };
    expect(line._aws.Timestamp).toBe(1_700_000_000_000);
    const [d] = line._aws.CloudWatchMetrics;
    expect(d).toEqual({ Namespace: 'EzyBus', Dimensions: [['Stage']], Metrics: [{ Name: 'EdgeErrors', Unit: 'Count' }] });
    // The EMF specification: every dimension and metric named in the directive is a member of the root object.
    for (const dim of d!.Dimensions.flat()) expect(typeof line[dim]).toBe('string');
    for (const m of d!.Metrics) expect(typeof line[m.Name]).toBe('number');
    expect(line.Stage).toBe('prod');
  });
  it('carries the count it is given (cuts at shutdown may be zero)', () => {
    expect(edgeMetricFields('dev', 'ShutdownCuts', 0).ShutdownCuts).toBe(0);
    expect(edgeMetricFields('dev', 'ShutdownCuts', 3).ShutdownCuts).toBe(3);
  });
});
