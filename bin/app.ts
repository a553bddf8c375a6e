#!/usr/bin/env node
/**
 * The CDK app: one EzyBusStack per stage. `cdk synth` synthesises every stage; `-c stage=prod`
 * only that one. Stage settings: lib/stages.ts, overridden by the JSON file in EZYBUS_STAGES_FILE
 * (or `-c stagesFile=…`). Runs offline: no context lookups anywhere.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStages } from '../lib/config.js';
import { EzyBusStack } from '../lib/ezybus-stack.js';
import { applyNagSuppressions } from '../lib/nag.js';
import { DEFAULT_STAGES } from '../lib/stages.js';

const app = new App();
const only = app.node.tryGetContext('stage') as string | undefined;
const file = (app.node.tryGetContext('stagesFile') as string | undefined) ?? process.env.EZYBUS_STAGES_FILE;
for (const stage of loadStages(DEFAULT_STAGES, file)) {
  if (only && stage.name !== only) continue;
  const stack = new EzyBusStack(app, `EzyBus-${stage.name}`, {
    stage,
    ...(stage.account || stage.region ? { env: { account: stage.account, region: stage.region } } : {}),
    description: `EzyBus LLM gateway, stage ${stage.name}`,
  });
  applyNagSuppressions(stack);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
