import { twilioScheme } from '../signing/twilio.js';
import { duration, type ProviderProfile } from './types.js';

function param(payload: unknown, name: string): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const value = (payload as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const twilio: ProviderProfile = {
  name: 'twilio',
  displayName: 'Twilio (Messaging and Voice webhooks)',
  scheme: twilioScheme(),
  secret: {
    envVar: 'TWILIO_AUTH_TOKEN',
    format: 'the 32-character auth token',
    where: 'Twilio Console → Account → API keys & tokens → Auth Token (the primary token signs webhooks)',
  },
  // Connection overrides defaults: connect 5 s, read 15 s, total 15 s.
  timeoutMs: 15 * duration.SECOND,
  // rc=1 by default: one retry, only when the connection fails (not on an HTTP error answer).
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' },
  // Form parameters name the event: message.<MessageStatus|SmsStatus>, call.<CallStatus>.
  eventType: (payload) => {
    const call = param(payload, 'CallStatus');
    if (call) return `call.${call}`;
    const message = param(payload, 'MessageStatus') ?? param(payload, 'SmsStatus');
    return message ? `message.${message}` : undefined;
  },
  eventHeaders: (_event, id) => ({ 'i-twilio-idempotency-token': id }),
  dedupeKey: 'i-twilio-idempotency-token',
  dashboardHint: 'Paste the URL in the Twilio Console → Phone Numbers → your number → Messaging / Voice configuration ("A message comes in", "Status callback URL").',
  notes: [
    'The signature covers the URL Twilio calls (scheme, host, port, path, query): sign with the --to URL, or under listen the public URL.',
    'Bodies are form-encoded; JSON bodies are signed with bodySHA256=<hex SHA-256> added to the URL query.',
    'Behind a proxy, rebuild the URL as Twilio saw it (https, public host) before validating.',
  ],
};
