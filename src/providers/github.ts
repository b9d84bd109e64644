import { hmacScheme } from '../signing/hmac.js';
import { duration, type ProviderProfile } from './types.js';
import { headerValue } from '../signing/types.js';

export const github: ProviderProfile = {
  name: 'github',
  displayName: 'GitHub',
  scheme: hmacScheme({ header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }),
  secret: { envVar: 'GITHUB_WEBHOOK_SECRET', format: 'any string', where: 'repository → Settings → Webhooks → Secret' },
  timeoutMs: 10 * duration.SECOND,
  // GitHub does not retry failed deliveries automatically.
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/webhook-cli' },
  eventType: (_payload, headers) => headerValue(headers, 'x-github-event'),
  eventHeaders: (event, id) => ({ 'x-github-event': event, 'x-github-delivery': id }),
  dedupeKey: 'x-github-delivery',
};
