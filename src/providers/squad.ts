import { hmacScheme } from '../signing/hmac.js';
import type { SignatureScheme } from '../signing/types.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

const hmac = hmacScheme({ header: 'x-squad-encrypted-body', algorithm: 'sha512', encoding: 'hex' });

/** HMAC-SHA512 of the raw body, sent as UPPERCASE hex (verification compares case-insensitively). */
const squadScheme: SignatureScheme = {
  ...hmac,
  description: hmac.description.replace(' hex ', ' uppercase hex '),
  sign: (input) => Object.fromEntries(Object.entries(hmac.sign(input)).map(([name, value]) => [name, value.toUpperCase()])),
};

export const squad: ProviderProfile = {
  name: 'squad',
  displayName: 'Squad (GTCO)',
  scheme: squadScheme,
  secret: {
    envVar: 'SQUAD_SECRET_KEY',
    format: 'sandbox_sk_... or the live secret key',
    where: 'Squad dashboard → Profile → API & Webhook (the secret key signs webhooks)',
  },
  // Not published; the tool waits 30 s.
  timeoutMs: 30 * duration.SECOND,
  // Not published.
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json' },
  ...eventInField('Event'),
  dedupeKey: 'TransactionRef',
  dashboardHint: 'Paste the URL in the Squad dashboard → Profile → API & Webhook → Webhook URL.',
  sourceIps: ['18.133.63.109'],
  notes: ['The signature is uppercase hex: compare case-insensitively (or uppercase your digest).', 'Keep a transaction-reference check so a resent notification does not give value twice.'],
};
