import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const paddle: ProviderProfile = {
  name: 'paddle',
  displayName: 'Paddle Billing',
  scheme: hmacScheme({
    header: 'paddle-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    signatureFormat: 'ts={timestamp};h1={signature}',
    signedContent: '{timestamp}:{body}',
    // Paddle's SDKs allow five seconds of clock difference.
    toleranceSeconds: 5,
  }),
  secret: { envVar: 'PADDLE_WEBHOOK_SECRET', format: 'pdl_ntfset_...', where: 'Paddle → Developer tools → Notifications → the destination → Secret key' },
  timeoutMs: 5 * duration.SECOND,
  // Sandbox: three retries within 15 minutes (live: up to 60 over three days).
  retryDelaysMs: [1, 4, 10].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Paddle' },
  ...eventInField('event_type'),
  dedupeKey: 'event_id',
  dashboardHint: 'Add the URL as a notification destination under Paddle → Developer tools → Notifications (sandbox).',
  notes: ['Paddle-Signature: ts=<unix>;h1=<hex HMAC-SHA256 of "{ts}:{body}">.', 'Each destination has its own secret key.', 'The SDKs reject timestamps more than 5 seconds off (use --tolerance for old captures).'],
};
