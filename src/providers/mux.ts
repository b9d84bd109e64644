import { hmacScheme } from '../signing/hmac.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const mux: ProviderProfile = {
  name: 'mux',
  displayName: 'Mux',
  scheme: hmacScheme({
    header: 'mux-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    signatureFormat: 't={timestamp},v1={signature}',
    signedContent: '{timestamp}.{body}',
  }),
  secret: { envVar: 'MUX_WEBHOOK_SECRET', format: 'the signing secret', where: 'dashboard.mux.com → Settings → Webhooks → the endpoint → Signing secret (one per endpoint)' },
  timeoutMs: 10 * duration.SECOND,
  retryDelaysMs: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * duration.MINUTE),
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Mux Webhooks' },
  ...eventInField('type'),
  dedupeKey: 'id',
  dashboardHint: 'Add the URL under dashboard.mux.com → Settings → Webhooks for the environment your app uses.',
  notes: ['Mux-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}">.', 'Each endpoint has its own signing secret.'],
};
