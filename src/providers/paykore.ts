import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

const { SECOND, MINUTE, HOUR } = duration;

export const paykore: ProviderProfile = {
  name: 'paykore',
  displayName: 'PayKore',
  scheme: hmacScheme({ header: 'x-paykore-signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }),
  secret: {
    envVar: 'PAYKORE_WEBHOOK_SECRET',
    format: 'whsec_...',
    where: 'returned once when the endpoint is registered (`webhook listen --print-secret` shows it)',
    mistakes: [
      { pattern: /^(sk|pk)_(test|live)_/, looksLike: 'a PayKore API key (the X-API-Key for registration), not a webhook secret' },
      { pattern: /^(?!whsec_)/, looksLike: 'a secret without its whsec_ prefix (PayKore keys the HMAC with the whole secret, prefix included, so signatures will not match)' },
    ],
  },
  timeoutMs: 10 * SECOND,
  // After the first attempt; the seed's "abandoned after 8 failed attempts" is read as 8 failed retries (sandbox --abandon-after changes it).
  retryDelaysMs: [1 * SECOND, 5 * SECOND, 30 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, 24 * HOUR],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'PayKore-Webhooks/1.0' },
  ...eventInField('event'),
  dedupeKey: 'data.id',
  registration: {
    apiKeyEnv: 'PAYKORE_API_KEY',
    apiBaseEnv: 'PAYKORE_API_BASE',
    apiBase: 'https://api.paykore.dev',
    registrar: async (api, options) => (await import('../registration/paykore-registrar.js')).paykoreRegistrar(api, options),
  },
  notes: ['The secret is used as the HMAC key as given (not base64-decoded).', 'Answer 2xx within 10 s.'],
};
