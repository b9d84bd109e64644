import { hmacScheme } from '../signing/hmac.js';
import { duration, stringField, type ProviderProfile } from './types.js';

const { SECOND, HOUR } = duration;

export const paystack: ProviderProfile = {
  name: 'paystack',
  displayName: 'Paystack',
  scheme: hmacScheme({ header: 'x-paystack-signature', algorithm: 'sha512', encoding: 'hex' }),
  secret: {
    envVar: 'PAYSTACK_SECRET_KEY',
    format: 'sk_test_... or sk_live_...',
    where: 'Paystack dashboard → Settings → API Keys & Webhooks (the secret key signs webhooks)',
  },
  timeoutMs: 30 * SECOND,
  // Test mode: hourly, documented up to 10 hours (live mode: every 3 min for 4 tries, then hourly up to 72 h).
  retryDelaysMs: Array.from({ length: 10 }, () => 1 * HOUR),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Paystack/1.0' },
  eventType: (payload) => stringField(payload, 'event'),
  dedupeKey: 'data.reference',
  dashboardHint: 'Paste the URL in the Paystack dashboard → Settings → API Keys & Webhooks → Test Webhook URL.',
  sourceIps: ['52.31.139.75', '52.49.173.169', '52.214.14.220'],
  notes: ['Verify the raw body bytes, never JSON.stringify(req.body).'],
};
