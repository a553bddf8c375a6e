/** `ezybus loki redrive`: the Loki shipper's parked batches (its DLQ) into Loki. */
import { print, UsageError, type Command } from '../cli/command.js';

const help = `Usage:
  ezybus loki redrive --stage NAME [--region R] [--queue-url URL]
      Reads the shipper's DLQ (ezybus-NAME-loki-dlq unless --queue-url), pushes each batch into
      Loki and deletes it from the queue once Loki accepted every entry. Entries go to their own
      streams (label redrive="<UTC hour>"), so batches older than Loki's out-of-order window are
      accepted; entries past Loki's age limit are re-stamped (original time in metadata
      originalTime). Loki settings from the environment: EZYBUS_LOKI_URL, EZYBUS_LOKI_TENANT,
      EZYBUS_LOKI_CREDENTIALS ({"username","password"} or {"token"}) or
      EZYBUS_LOKI_CREDENTIALS_CIPHERTEXT (decrypted with the stage key), EZYBUS_LOKI_MAX_* limits.
      Exits 3 when some batches stayed in the queue.`;

export const command: Command = {
  help,
  // Talks to SQS and Loki only: no gateway store.
  opensOwnStore: true,
  actions: {
    redrive: {
      options: { 'queue-url': { type: 'string' } },
      async run(a) {
        const stage = a.values.stage;
        if (typeof stage !== 'string' || !/^[a-z][a-z0-9-]{0,20}$/.test(stage)) throw new UsageError(`loki redrive needs --stage NAME\n\n${help}`);
        // The operator's shell, read once here; --region wins over AWS_REGION.
        const env: NodeJS.ProcessEnv = { ...process.env, ...(typeof a.values.region === 'string' ? { AWS_REGION: a.values.region } : {}) };
        const { shipperConfig } = await import('../../functions/shared/loki/config.js');
        const { tenantLimits } = await import('../../functions/shared/loki/limits.js');
        const { redriveDlq } = await import('../cli/loki-redrive.js');
        const { jsonService } = await import('../../functions/shared/aws/json-client.js');
        const { awsSettings } = await import('../../functions/shared/config.js');
        // Plain credentials are the operator's own shell here, not a function's environment.
        const c = shipperConfig({ ...env, EZYBUS_STAGE: env.EZYBUS_LOKI_CREDENTIALS ? 'local' : stage });
        const sqs = jsonService({ service: 'sqs', targetPrefix: 'AmazonSQS', contentType: 'application/x-amz-json-1.0', endpoint: env.EZYBUS_SQS_ENDPOINT || undefined, aws: awsSettings(env) });
        const given = a.values['queue-url'];
        const queueUrl = typeof given === 'string' ? given : (await sqs.send<{ QueueUrl: string }>('GetQueueUrl', { QueueName: `ezybus-${stage}-loki-dlq` })).QueueUrl;
        const r = await redriveDlq({ queueUrl, stage, loki: { url: c.url, tenant: c.tenant, auth: c.auth }, limits: tenantLimits(env) }, sqs);
        for (const f of r.failed) process.stderr.write(`ezybus: message ${f.messageId} stays in the queue: ${f.reason}\n`);
        print(`${r.messages} DLQ messages: ${r.redriven} redriven (${r.entries} log lines), ${r.failed.length} left in the queue.`);
        if (r.failed.length) process.exitCode = 3;
      },
    },
  },
};
