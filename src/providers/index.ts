import type { WebhookConfig } from '../config/schema.js';
import { applyConfig, customProvider, unknownProvider } from './configure.js';
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
import type { ProviderProfile } from './types.js';

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
  throw unknownProvider(name, [...registry.keys()]);
}
