/**
 * Stage configuration: one typed, validated record per stage (dev, prod, or any other name).
 * Defaults live in stages.ts; an operator overrides them with a JSON file named by the
 * EZYBUS_STAGES_FILE environment variable or the `stagesFile` CDK context value, e.g.
 *
 *   { "prod": { "domain": { "domainName": "llm.example.com", "certificateArn": "arn:aws:acm:us-east-1:…" },
 *               "originSecret": "…32+ random characters…" } }
 *
 * Nothing here is looked up from AWS: `cdk synth` runs offline.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { cidrProblem } from './ip-allow.js';

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const memory = z.number().int().min(128).max(10_240);

/** The endpoint rate limits AWS accepts (CfnWebFunctionEndpoint ThrottleConfig.RateLimit). */
const RATE_LIMITS = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000];

/**
 * How the stage runs the gateway (docs/deploy.md, "Compute modes"): one Lambda function per
 * endpoint behind its Function URL, one request per execution environment (the default), or one
 * Lambda Web Function serving every endpoint with many concurrent requests per environment.
 */
const Compute = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('function-urls') }).strict(),
  z
    .object({
      mode: z.literal('web-functions'),
      /** Upper bound of concurrent requests one environment takes (AWS: 1–128; its default is 64). */
      maxConcurrencyPerEnvironment: z.number().int().min(1).max(128).default(64),
      /** Cap on the endpoint's environments (AWS: ≥ 2); unset, only the account's vCPU quota bounds it. */
      maxEnvironments: z.number().int().min(2).optional(),
      /** Requests per second the endpoint admits before they reach an environment. */
      rateLimit: z
        .number()
        .int()
        .refine((n) => RATE_LIMITS.includes(n), `the endpoint rate limit must be one of ${RATE_LIMITS.join(', ')}`)
        .optional(),
      /** The revision's timeout (AWS: 3–900 s); the gateway's total deadline is kept 60 s under it. */
      timeoutSeconds: z.number().int().min(120).max(900).default(900),
    })
    .strict(),
]);

export const StageSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'stage names are lower-case letters, digits and dashes, starting with a letter (≤ 21 chars)'),
    account: z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits').optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'not an AWS region name').optional(),
    domain: z
      .object({
        domainName: z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'not a DNS name'),
        certificateArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/, 'CloudFront needs an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:…)'),
        hostedZoneId: z.string().regex(/^Z[0-9A-Z]+$/, 'not a Route 53 hosted zone id').optional(),
        zoneName: z.string().optional(),
      })
      .refine((d) => !d.hostedZoneId === !d.zoneName, 'hostedZoneId and zoneName go together (both for a Route 53 alias, or neither)')
      .optional(),
    compute: Compute.default({ mode: 'function-urls' }),
    memoryMb: z.object({ chat: memory, messages: memory, models: memory, shipper: memory }),
    logRetentionDays: z.number().refine((n) => (RETENTION_DAYS as readonly number[]).includes(n), `log retention must be one of ${RETENTION_DAYS.join(', ')} days`),
    provisionedConcurrency: z.object({ chat: z.number().int().min(0), messages: z.number().int().min(0) }).partial().default({}),
    /**
     * Reserved concurrency per function: the most execution environments each may run at once,
     * so a flood of (even unauthenticated) requests is throttled (429 from the Function URL)
     * instead of running up cost without bound. null leaves a function unreserved — needed on an
     * account still at the 10-concurrency starting quota, where no function can reserve any.
     */
    reservedConcurrency: z.object({
      chat: z.number().int().min(1).nullable(),
      messages: z.number().int().min(1).nullable(),
      models: z.number().int().min(1).nullable(),
      shipper: z.number().int().min(1).nullable(),
      admin: z.number().int().min(1).nullable(),
      /**
       * The usage ledger writer: the log subscription's intake and the queue's batches share it;
       * the queue takes at most half, so intake (throttled async invocations wait, up to 6 h) always
       * has room. At least 4: the SQS event source needs 2.
       */
      ledger: z.number().int().min(4).nullable(),
    }),
    loki: z
      .object({
        url: z.string().url().refine((u) => u.startsWith('https://'), 'the Loki push URL must be https'),
        tenant: z.string().optional(),
        credentialsCiphertext: z.string().regex(/^[A-Za-z0-9+/=]+$/, 'credentialsCiphertext is the base64 KMS ciphertext').optional(),
        /** The tenant's limits when they differ from Loki 3.7's defaults (functions/shared/loki/limits.ts). */
        limits: z
          .object({
            maxLineBytes: z.number().int().min(1024),
            maxMetadataBytes: z.number().int().min(256),
            maxPushBytes: z.number().int().min(64 * 1024),
            maxPushEntries: z.number().int().min(1),
          })
          .partial()
          .optional(),
      })
      .optional(),
    removalPolicy: z.enum(['retain', 'destroy']),
    /** CloudFront origin read timeout: 1–60 s by default, up to 180 s with a quota increase. */
    originReadTimeoutSeconds: z.number().int().min(1).max(180),
    /**
     * Value of the secret header CloudFront adds; the functions receive only its SHA-256. Without
     * one, the stack generates a secret at deploy time (lib/origin-secret.ts); bump
     * originSecretRotation to replace a generated one.
     */
    originSecret: z.string().min(32, 'the origin secret must be at least 32 characters').optional(),
    originSecretRotation: z.number().int().min(0).default(0),
    priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']),
    alarmEmail: z.string().email().optional(),
    /** Who may reach /admin/* and /console (CIDR ranges, IPv4 or IPv6); absent: anyone with an admin key. */
    adminAllowCidrs: z
      .array(z.string().superRefine((c, ctx) => {
        const p = cidrProblem(c);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      }))
      .min(1)
      .optional(),
  })
  .strict()
  .refine(
    (c) => (['chat', 'messages'] as const).every((f) => c.reservedConcurrency[f] === null || (c.provisionedConcurrency[f] ?? 0) <= (c.reservedConcurrency[f] ?? 0)),
    { message: 'provisioned concurrency cannot exceed the function’s reserved concurrency', path: ['provisionedConcurrency'] },
  );

export type StageConfig = z.infer<typeof StageSchema>;
export type WebFunctionsCompute = Extract<StageConfig['compute'], { mode: 'web-functions' }>;

export function originSecretSha256(c: StageConfig): string | undefined {
  return c.originSecret ? createHash('sha256').update(c.originSecret).digest('hex') : undefined;
}

/** Validates one stage; errors name the stage and the field. */
export function parseStage(raw: unknown): StageConfig {
  const r = StageSchema.safeParse(raw);
  if (r.success) return r.data;
  const name = typeof raw === 'object' && raw !== null && 'name' in raw ? String((raw as { name: unknown }).name) : '?';
  throw new Error(`stage '${name}': ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}

type Overrides = Record<string, Record<string, unknown>>;

/** Defaults merged with the operator's overrides (shallow per top-level field), all validated. */
export function loadStages(defaults: Record<string, Omit<StageConfig, 'name'>>, file?: string): StageConfig[] {
  const overrides: Overrides = file ? (JSON.parse(readFileSync(file, 'utf8')) as Overrides) : {};
  const names = [...new Set([...Object.keys(defaults), ...Object.keys(overrides)])];
  return names.map((name) => {
    const base = defaults[name] ?? defaults.dev;
    return parseStage({ ...base, ...overrides[name], name });
  });
}
