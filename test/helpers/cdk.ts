/**
 * Synthesising an app with cdk-nag's AwsSolutions pack as a validation plugin: findings fail
 * the synthesis and land in its policy validation report. Returns both as text ('' when clean).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function synthWithNag(app: App, outdir: string): string {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let report = '';
  try {
    app.synth();
  } catch (err) {
    report = err instanceof Error ? err.message : String(err);
  }
  try {
    report += readFileSync(join(outdir, 'policy-validation-report.json'), 'utf8');
  } catch {
    // no report written: no findings
  }
  return report;
}
