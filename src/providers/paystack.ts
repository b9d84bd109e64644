import { hmacScheme } from '../signing/hmac.js';
import { duration, stringField, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR } = duration;

/**
 * paystack.com/docs/payments/webhooks: "In test mode, webhook events are sent hourly for 10
 * hours"; "in live mode ... every 3 minutes for the first 4 tries, then retried hourly for the
 * next 72 hours". Read as retries after an immediate first attempt.
 */
const PAYSTACK_RETRY_MODES = {
  test: Array.from({ length: 10 }, () => 1 * HOUR),
  live: [...Array.from({ length: 4 }, () => 3 * MINUTE), ...Array.from({ length: 72 }, () => 1 * HOUR)],
} as const;

export const paystack: ProviderProfile = {
  name: 'paystack',
  displayName: 'Paystack',
  scheme: hmacScheme({ header: 'x-paystack-signature', algorithm: 'sha512', encoding: 'hex' }),
  secret: {
    envVar: 'PAYSTACK_SECRET_KEY',
    format: 'sk_test_... or sk_live_...',
    where: 'Paystack dashboard → Settings → API Keys & Webhooks (the secret key signs webhooks)',
    mistakes: [
      { pattern: /^pk_(test|live)_/, looksLike: 'a Paystack public key (pk_...), which cannot sign' },
      { pattern: /^whsec_/, looksLike: "another provider's webhook secret (Paystack has none: its secret API key signs)" },
    ],
  },
  timeoutMs: 30 * SECOND,
  retryDelaysMs: PAYSTACK_RETRY_MODES.test,
  retryModes: PAYSTACK_RETRY_MODES,
  defaultRetryMode: 'test',
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Paystack/1.0' },
  eventType: (payload) => stringField(payload, 'event'),
  dedupeKey: 'data.reference',
  dashboardHint: 'Paste the URL in the Paystack dashboard → Settings → API Keys & Webhooks → Test Webhook URL.',
  sourceIps: ['52.31.139.75', '52.49.173.169', '52.214.14.220'],
  notes: ['Verify the raw body bytes, never JSON.stringify(req.body).', 'Deliveries come from 52.31.139.75, 52.49.173.169 and 52.214.14.220.'],
};
