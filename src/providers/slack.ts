import { hmacScheme } from '../signing/hmac.js';
import { duration, type ProviderProfile } from './types.js';

/** Events API: the inner event's type for event_callback, else the outer type (url_verification). */
function slackEventType(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { type, event } = payload as { type?: unknown; event?: { type?: unknown } };
  if (type === 'event_callback' && typeof event?.type === 'string') return event.type;
  return typeof type === 'string' ? type : undefined;
}

export const slack: ProviderProfile = {
  name: 'slack',
  displayName: 'Slack',
  scheme: hmacScheme({
    header: 'x-slack-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v0=',
    signedContent: 'v0:{timestamp}:{body}',
    timestampHeader: 'x-slack-request-timestamp',
  }),
  secret: { envVar: 'SLACK_SIGNING_SECRET', format: 'a 32-character hex string', where: 'api.slack.com/apps → your app → Basic Information → App Credentials → Signing Secret' },
  timeoutMs: 3 * duration.SECOND,
  // Events API: retried immediately, after 1 minute, then after 5 minutes.
  retryDelaysMs: [0, 1 * duration.MINUTE, 5 * duration.MINUTE],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' },
  eventType: (payload) => slackEventType(payload),
  dedupeKey: 'event_id',
  dashboardHint: 'Paste the URL as the Request URL under your app → Event Subscriptions (Slack sends a url_verification challenge first).',
  notes: ['Signs "v0:{timestamp}:{body}"; reject timestamps more than 5 minutes off.', 'The signing secret is not the bot token or the old verification token.'],
};
