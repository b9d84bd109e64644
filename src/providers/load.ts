import type { WebhookConfig } from '../config/schema.js';
import { applyConfig, customProvider, schemeFromConfig, unknownProvider } from './configure.js';
import type { ProviderProfile } from './types.js';

/**
 * Each built-in profile's module by name, in the order of BUILTIN_PROVIDERS (a test keeps the
 * two alike): a command working with one provider loads that one, not all 35.
 */
const BUILTIN: Readonly<Record<string, () => Promise<ProviderProfile>>> = {
  paykore: async () => (await import('./paykore.js')).paykore,
  paystack: async () => (await import('./paystack.js')).paystack,
  koard: async () => (await import('./koard.js')).koard,
  standard: async () => (await import('./standard.js')).standard,
  stripe: async () => (await import('./stripe.js')).stripe,
  github: async () => (await import('./github.js')).github,
  generic: async () => (await import('./generic.js')).generic,
  // HMAC of the raw body
  shopify: async () => (await import('./shopify.js')).shopify,
  razorpay: async () => (await import('./razorpay.js')).razorpay,
  lemonsqueezy: async () => (await import('./lemonsqueezy.js')).lemonsqueezy,
  linear: async () => (await import('./linear.js')).linear,
  coinbase: async () => (await import('./coinbase.js')).coinbase,
  checkout: async () => (await import('./checkout.js')).checkout,
  monnify: async () => (await import('./monnify.js')).monnify,
  typeform: async () => (await import('./typeform.js')).typeform,
  intercom: async () => (await import('./intercom.js')).intercom,
  woocommerce: async () => (await import('./woocommerce.js')).woocommerce,
  vercel: async () => (await import('./vercel.js')).vercel,
  // HMAC over a timestamp or the URL with the body
  slack: async () => (await import('./slack.js')).slack,
  paddle: async () => (await import('./paddle.js')).paddle,
  zoom: async () => (await import('./zoom.js')).zoom,
  square: async () => (await import('./square.js')).square,
  hubspot: async () => (await import('./hubspot.js')).hubspot,
  calendly: async () => (await import('./calendly.js')).calendly,
  mux: async () => (await import('./mux.js')).mux,
  // Svix / Standard Webhooks senders
  clerk: async () => (await import('./clerk.js')).clerk,
  resend: async () => (await import('./resend.js')).resend,
  openai: async () => (await import('./openai.js')).openai,
  // Asymmetric signatures (a test key pair per provider)
  discord: async () => (await import('./discord.js')).discord,
  sendgrid: async () => (await import('./sendgrid.js')).sendgrid,
  // Signatures over something other than the raw body
  twilio: async () => (await import('./twilio.js')).twilio,
  korapay: async () => (await import('./korapay.js')).korapay,
  squad: async () => (await import('./squad.js')).squad,
  flutterwave: async () => (await import('./flutterwave.js')).flutterwave,
  mailgun: async () => (await import('./mailgun.js')).mailgun,
};

/** The provider names this run knows: the built-ins, then the custom ones config describes. */
export function providerNames(config: WebhookConfig = {}): string[] {
  return [...new Set([...Object.keys(BUILTIN), ...Object.keys(config.providers ?? {})])];
}

/**
 * One provider by name, loaded alone, with config applied, exactly as providerRegistry(config)
 * has it; an unknown name suggests the closest and lists the rest (as getProvider).
 */
export async function loadProvider(name: string, config: WebhookConfig = {}): Promise<ProviderProfile> {
  checkConfigured(config);
  const key = name.toLowerCase();
  const cfg = config.providers?.[key];
  const load = Object.hasOwn(BUILTIN, key) ? BUILTIN[key] : undefined;
  if (load) {
    const profile = await load();
    return cfg ? applyConfig(profile, cfg) : profile;
  }
  if (cfg) return customProvider(key, cfg);
  throw unknownProvider(name, providerNames(config));
}

/**
 * Config's provider entries checked as providerRegistry(config) checks them (all of them, in its
 * order: a mistake in one is an error whichever provider a command uses), without loading profiles.
 */
function checkConfigured(config: WebhookConfig): void {
  const configured = config.providers ?? {};
  for (const name of Object.keys(BUILTIN)) {
    const scheme = configured[name]?.scheme;
    if (scheme) schemeFromConfig(scheme);
  }
  for (const [name, cfg] of Object.entries(configured)) if (!Object.hasOwn(BUILTIN, name)) customProvider(name, cfg);
}
