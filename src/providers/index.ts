import { closest } from 'fastest-levenshtein';
import type { ProviderConfig, SchemeConfig, WebhookConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { hmacScheme, placeholders } from '../signing/hmac.js';
import { standardWebhooksScheme } from '../signing/standard.js';
import { stripeScheme } from '../signing/stripe.js';
import type { SignatureScheme } from '../signing/types.js';
import { discord } from './discord.js';
import { flutterwave } from './flutterwave.js';
import { generic } from './generic.js';
import { github } from './github.js';
import { koard } from './koard.js';
import { korapay } from './korapay.js';
import { mailgun } from './mailgun.js';
import { paykore } from './paykore.js';
import { paystack } from './paystack.js';
import { sendgrid } from './sendgrid.js';
import { squad } from './squad.js';
import { standard } from './standard.js';
import { twilio } from './twilio.js';
import { stripe } from './stripe.js';
import { shopify } from './shopify.js';
import { razorpay } from './razorpay.js';
import { lemonsqueezy } from './lemonsqueezy.js';
import { linear } from './linear.js';
import { coinbase } from './coinbase.js';
import { checkout } from './checkout.js';
import { monnify } from './monnify.js';
import { typeform } from './typeform.js';
import { intercom } from './intercom.js';
import { slack } from './slack.js';
import { paddle } from './paddle.js';
import { zoom } from './zoom.js';
import { square } from './square.js';
import { hubspot } from './hubspot.js';
import { clerk } from './clerk.js';
import { resend } from './resend.js';
import { openai } from './openai.js';
import { calendly } from './calendly.js';
import { mux } from './mux.js';
import { woocommerce } from './woocommerce.js';
import { vercel } from './vercel.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export type { ProviderProfile } from './types.js';

export const BUILTIN_PROVIDERS: readonly ProviderProfile[] = [
  paykore,
  paystack,
  koard,
  standard,
  stripe,
  github,
  generic,
  // HMAC of the raw body
  shopify,
  razorpay,
  lemonsqueezy,
  linear,
  coinbase,
  checkout,
  monnify,
  typeform,
  intercom,
  woocommerce,
  vercel,
  // HMAC over a timestamp or the URL with the body
  slack,
  paddle,
  zoom,
  square,
  hubspot,
  calendly,
  mux,
  // Svix / Standard Webhooks senders
  clerk,
  resend,
  openai,
  // Asymmetric signatures (a test key pair per provider)
  discord,
  sendgrid,
  // Signatures over something other than the raw body
  twilio,
  korapay,
  squad,
  flutterwave,
  mailgun,
];

/** Build a signature scheme from its config description. */
function schemeFromConfig(spec: SchemeConfig): SignatureScheme {
  switch (spec.type) {
    case 'standard':
      return standardWebhooksScheme(spec.headerFamily, spec.toleranceSeconds);
    case 'stripe':
      return stripeScheme(spec.toleranceSeconds);
    default: {
      const used = placeholders(spec.signedContent);
      if (used.filter((p) => p === 'body').length !== 1) {
        throw new UsageError(`scheme.signedContent "${spec.signedContent}" must contain {body} exactly once`, {
          hint: 'e.g. "{body}", "{timestamp}.{body}", "v0:{timestamp}:{body}" or "{url}{body}"',
        });
      }
      if (used.includes('timestamp') && !spec.timestampHeader && !spec.signatureFormat?.includes('{timestamp}')) {
        throw new UsageError(`scheme.signedContent "${spec.signedContent}" needs scheme.timestampHeader`, {
          hint: 'name the header that carries the timestamp, e.g. "timestampHeader": "x-webhook-timestamp" (or put {timestamp} in scheme.signatureFormat)',
        });
      }
      if (used.includes('id') && !spec.idHeader) {
        throw new UsageError(`scheme.signedContent "${spec.signedContent}" needs scheme.idHeader`, {
          hint: 'name the header that carries the message id, e.g. "idHeader": "x-webhook-id"',
        });
      }
      if (spec.signatureFormat && spec.prefix) {
        throw new UsageError('scheme.prefix and scheme.signatureFormat cannot both be set', {
          hint: `put the prefix in the format instead, e.g. "signatureFormat": "${spec.prefix}{signature}"`,
        });
      }
      return hmacScheme(spec);
    }
  }
}

function applyConfig(base: ProviderProfile, cfg: ProviderConfig): ProviderProfile {
  return {
    ...base,
    ...(cfg.displayName ? { displayName: cfg.displayName } : {}),
    ...(cfg.scheme ? { scheme: schemeFromConfig(cfg.scheme) } : {}),
    secret: { ...base.secret, ...(cfg.secretEnv ? { envVar: cfg.secretEnv } : {}) },
    ...(cfg.timeoutSeconds ? { timeoutMs: cfg.timeoutSeconds * duration.SECOND } : {}),
    // A configured schedule replaces every documented one (modes included).
    ...(cfg.retryDelaysSeconds ? { retryDelaysMs: cfg.retryDelaysSeconds.map((s) => s * duration.SECOND), retryModes: undefined, defaultRetryMode: undefined } : {}),
    ...(cfg.headers ? { requestHeaders: { ...base.requestHeaders, ...lowerKeys(cfg.headers) } } : {}),
    ...(cfg.eventField ? eventInField(cfg.eventField) : {}),
    ...(cfg.events ? { declaredEvents: cfg.events } : {}),
    ...(base.registration && (cfg.apiBase || cfg.apiKeyEnv)
      ? {
          registration: {
            ...base.registration,
            ...(cfg.apiBase ? { apiBase: cfg.apiBase } : {}),
            ...(cfg.apiKeyEnv ? { apiKeyEnv: cfg.apiKeyEnv } : {}),
          },
        }
      : {}),
  };
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

function customProvider(name: string, cfg: ProviderConfig): ProviderProfile {
  if (!cfg.scheme) {
    throw new UsageError(`providers.${name}: a custom provider needs "scheme"`, {
      hint: `describe how ${name} signs, e.g. {"type": "hmac", "header": "x-signature", "algorithm": "sha256", "encoding": "hex"}`,
    });
  }
  const base: ProviderProfile = {
    ...generic,
    name,
    displayName: name,
    custom: true,
    secret: { envVar: `${name.toUpperCase().replace(/-/g, '_')}_WEBHOOK_SECRET`, format: 'any string', where: `${name}'s webhook settings` },
    notes: [],
  };
  return applyConfig(base, cfg);
}

/** The providers this run knows: the built-ins with config overrides, plus custom ones from config. */
export function providerRegistry(config: WebhookConfig = {}): ReadonlyMap<string, ProviderProfile> {
  const registry = new Map<string, ProviderProfile>();
  for (const profile of BUILTIN_PROVIDERS) {
    const cfg = config.providers?.[profile.name];
    registry.set(profile.name, cfg ? applyConfig(profile, cfg) : profile);
  }
  for (const [name, cfg] of Object.entries(config.providers ?? {})) {
    if (!registry.has(name)) registry.set(name, customProvider(name, cfg));
  }
  return registry;
}

/** Look a provider up by name; an unknown name suggests the closest and lists the rest. */
export function getProvider(registry: ReadonlyMap<string, ProviderProfile>, name: string): ProviderProfile {
  const profile = registry.get(name.toLowerCase());
  if (profile) return profile;
  const names = [...registry.keys()];
  const guess = closest(name.toLowerCase(), names);
  throw new UsageError(`unknown provider "${name}"`, {
    hint: `did you mean "${guess}"? Known providers: ${names.join(', ')} (or describe one under "providers" in webhook.config.json)`,
  });
}
