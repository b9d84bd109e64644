import { stripeScheme } from '../signing/stripe.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

const { SECOND, HOUR } = duration;

export const stripe: ProviderProfile = {
  name: 'stripe',
  displayName: 'Stripe',
  scheme: stripeScheme(),
  secret: {
    envVar: 'STRIPE_WEBHOOK_SECRET',
    format: 'whsec_...',
    where: 'Stripe dashboard → Developers → Webhooks → Signing secret (or the one `stripe listen` prints)',
    mistakes: [
      { pattern: /^(sk|rk)_(test|live)_/, looksLike: 'a Stripe API key (sk_/rk_), not a webhook signing secret' },
      { pattern: /^pk_(test|live)_/, looksLike: 'a Stripe publishable key (pk_), not a webhook signing secret' },
      { pattern: /^(?!whsec_)/, looksLike: 'a secret without its whsec_ prefix (Stripe keys the HMAC with the whole secret, prefix included)' },
    ],
  },
  timeoutMs: 10 * SECOND,
  // Stripe retries with exponential back-off for up to three days in live mode.
  retryDelaysMs: [1, 2, 4, 8, 16, 24, 24, 24, 24, 24, 24].map((h) => h * HOUR),
  requestHeaders: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
  ...eventInField('type'),
  dedupeKey: 'id',
  notes: ['The whsec_ secret is used as raw bytes (not base64-decoded).'],
};
