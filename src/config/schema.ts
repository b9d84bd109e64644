import { z } from 'zod';

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as MY_SECRET');
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name such as x-signature');
const url = z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://localhost:3000/webhooks' });

const hmacSchemeSchema = z.strictObject({
  type: z.literal('hmac'),
  header: headerName,
  algorithm: z.enum(['sha1', 'sha256', 'sha512']),
  encoding: z.enum(['hex', 'base64']),
  prefix: z.string().optional(),
  /** The whole header value, e.g. "ts={timestamp};h1={signature}" (instead of prefix). */
  signatureFormat: z.string().regex(/\{signature\}/, 'a template containing {signature}, such as "ts={timestamp};h1={signature}"').optional(),
  /** What is signed: a template over {body} {timestamp} {id} {url} {method}, e.g. "v0:{timestamp}:{body}". */
  signedContent: z
    .string()
    .regex(/^(?:[^{}]|\{(?:body|timestamp|id|url|method)\})*$/, 'a template over {body}, {timestamp}, {id}, {url} and {method}, such as "v0:{timestamp}:{body}"')
    .default('{body}'),
  timestampHeader: headerName.optional(),
  timestampUnit: z.enum(['seconds', 'milliseconds']).optional(),
  idHeader: headerName.optional(),
  secretEncoding: z.enum(['utf8', 'base64']).optional(),
  toleranceSeconds: z.number().int().positive().optional(),
});

const standardSchemeSchema = z.strictObject({
  type: z.literal('standard'),
  headerFamily: z.enum(['svix', 'webhook']).default('webhook'),
  toleranceSeconds: z.number().int().positive().optional(),
});

const stripeSchemeSchema = z.strictObject({
  type: z.literal('stripe'),
  toleranceSeconds: z.number().int().positive().optional(),
});

/** How a provider signs; "type" defaults to "hmac" so the common case needs no type. */
const schemeSchema = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) && !('type' in value) ? { type: 'hmac', ...value } : value),
  z.discriminatedUnion('type', [hmacSchemeSchema, standardSchemeSchema, stripeSchemeSchema]),
);

/** Settings for one provider: overrides for a built-in, or a whole custom provider. */
const providerConfigSchema = z.strictObject({
  displayName: z.string().optional(),
  /** Environment variable holding the webhook secret (secrets never live in config files). */
  secretEnv: envVarName.optional(),
  /** Environment variable holding the API key (PayKore registration). */
  apiKeyEnv: envVarName.optional(),
  /** Registration API base URL (PayKore, or `webhook sandbox`). */
  apiBase: url.optional(),
  scheme: schemeSchema.optional(),
  /** Field of the payload holding the event type (custom providers). Default "event". */
  eventField: z.string().min(1).optional(),
  /** Event types a custom provider sends (besides those in its fixtures folder). */
  events: z.array(z.string().min(1)).optional(),
  timeoutSeconds: z.number().positive().max(600).optional(),
  /** Seconds before each retry (custom providers, sandbox). */
  retryDelaysSeconds: z.array(z.number().nonnegative()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const configSchema = z.strictObject({
  /** Default provider for every command. */
  provider: z.string().min(1).optional(),
  /** Default app URL for listen/trigger/replay/check. */
  forwardTo: url.optional(),
  /** Extra fixture folders (a folder of <provider>/<event>.json), searched before the built-ins. */
  fixtures: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  /** Where listen keeps its durable delivery log. */
  store: z.string().min(1).optional(),
  providers: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case name such as acme'), providerConfigSchema).optional(),
  listen: z
    .strictObject({
      port: z.number().int().min(0).max(65535).optional(),
      events: z.array(z.string().min(1)).optional(),
      routes: z.record(z.string(), url).optional(),
    })
    .optional(),
});

export type WebhookConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type SchemeConfig = NonNullable<ProviderConfig['scheme']>;
