import { ed25519Scheme } from '../signing/asymmetric.js';
import { duration, type ProviderProfile } from './types.js';

/** Interaction types by number (Discord's "Interaction Type" table). */
const INTERACTION_TYPES: Readonly<Record<number, string>> = {
  1: 'ping',
  2: 'application_command',
  3: 'message_component',
  4: 'application_command_autocomplete',
  5: 'modal_submit',
};

export const discord: ProviderProfile = {
  name: 'discord',
  displayName: 'Discord (interactions)',
  scheme: ed25519Scheme('discord', { signature: 'x-signature-ed25519', timestamp: 'x-signature-timestamp' }),
  secret: {
    envVar: 'DISCORD_SIGNING_KEY',
    format: 'an Ed25519 private key (PKCS#8 PEM) to sign with, or the 64-hex public key to verify with',
    where: 'Discord keeps the private key; your app verifies with Developer Portal → your application → General Information → Public Key. To test, configure the app with `webhook keys discord`',
  },
  // Discord waits 3 seconds for the initial response and does not retry an interaction.
  timeoutMs: 3 * duration.SECOND,
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)' },
  eventType: (payload) => {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    const type = (payload as Record<string, unknown>).type;
    return typeof type === 'number' ? INTERACTION_TYPES[type] : undefined;
  },
  dedupeKey: 'id',
  dashboardHint: 'Paste the URL in the Developer Portal → your application → General Information → Interactions Endpoint URL (Discord sends a PING and a wrongly signed request before it saves it).',
  notes: [
    'Signed with a private key Discord holds: verify with the application public key (hex).',
    'To test locally, configure your app with the public key printed by `webhook keys discord`.',
    'Answer a PING (type 1) with {"type": 1}; answer any interaction within 3 seconds.',
  ],
};
