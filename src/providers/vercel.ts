import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const vercel: ProviderProfile = {
  name: 'vercel',
  displayName: 'Vercel',
  scheme: hmacScheme({ header: 'x-vercel-signature', algorithm: 'sha1', encoding: 'hex' }),
  secret: { envVar: 'VERCEL_WEBHOOK_SECRET', format: 'the webhook secret', where: 'Vercel → team Settings → Webhooks (shown once after creating it); integrations sign with their Client Secret' },
  timeoutMs: 10 * duration.SECOND,
  retryDelaysMs: [1, 5, 30, 60].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Vercel-Webhooks' },
  ...eventInField('type'),
  dedupeKey: 'id',
  dashboardHint: 'Create a webhook under Vercel → team Settings → Webhooks (Pro and Enterprise).',
  notes: ['HMAC-SHA1 (not SHA-256), hex, no prefix.'],
};
