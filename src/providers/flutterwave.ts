import { sharedValueScheme } from '../signing/shared-value.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

export const flutterwave: ProviderProfile = {
  name: 'flutterwave',
  displayName: 'Flutterwave (v3)',
  scheme: sharedValueScheme({ header: 'verif-hash' }),
  secret: {
    envVar: 'FLW_SECRET_HASH',
    format: 'the secret hash you chose (any string)',
    where: 'Flutterwave dashboard → Settings → Webhooks → Secret hash',
  },
  // Not published here; the tool waits 30 s.
  timeoutMs: 30 * duration.SECOND,
  // Retries are a dashboard option (Settings → Webhooks); their schedule is not modelled.
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json' },
  ...eventInField('event'),
  dedupeKey: 'data.id',
  dashboardHint: 'Paste the URL in the Flutterwave dashboard → Settings → Webhooks, and set a secret hash there.',
  notes: [
    'verif-hash carries the secret hash itself: it authenticates the sender, not the body. Re-verify the transaction with the API (GET /v3/transactions/:id/verify) before giving value.',
    'The newer flutterwave-signature header (v4) is not modelled: describe it in config as an HMAC scheme if you use it.',
  ],
};
