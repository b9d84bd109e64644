import { hmacScheme } from '../signing/hmac.js';
import type { SignatureScheme } from '../signing/types.js';
import { duration, stringField, type ProviderProfile } from './types.js';
import { headerValue } from '../signing/types.js';

const sha256 = hmacScheme({ header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' });
const sha1 = hmacScheme({ header: 'x-hub-signature', algorithm: 'sha1', encoding: 'hex', prefix: 'sha1=' });

/**
 * GitHub signs twice: `X-Hub-Signature-256` (checked here) and the legacy SHA-1 `X-Hub-Signature`
 * it still sends for older integrations; both are sent, only the SHA-256 one is verified.
 */
const scheme: SignatureScheme = {
  ...sha256,
  description: `${sha256.description}; a legacy HMAC-SHA1 copy in x-hub-signature`,
  headers: [...sha256.headers, ...sha1.headers],
  sign: (input) => ({ ...sha256.sign(input), ...sha1.sign(input) }),
};

/** The webhook the built-in fixtures come from: the id of the hook and of the repository it is on. */
const HOOK = { id: '447436123', targetType: 'repository', targetId: '1296269' } as const;

/**
 * Event names are GitHub's `X-GitHub-Event` with the payload's `action` after a dot, as
 * @octokit/webhooks names them: `pull_request.opened`, `issues.closed`; events without an
 * action are the header alone (`push`, `ping`). GitHub's event names never contain a dot.
 */
export const github: ProviderProfile = {
  name: 'github',
  displayName: 'GitHub',
  scheme,
  secret: { envVar: 'GITHUB_WEBHOOK_SECRET', format: 'any string', where: 'repository → Settings → Webhooks → Secret' },
  timeoutMs: 10 * duration.SECOND,
  // GitHub does not retry failed deliveries automatically.
  retryDelaysMs: [],
  requestHeaders: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/webhook-cli' },
  eventType: (payload, headers) => {
    const event = headerValue(headers, 'x-github-event');
    const action = stringField(payload, 'action');
    return event && action ? `${event}.${action}` : event;
  },
  eventHeaders: (event, id) => ({
    'x-github-event': event.split('.')[0]!,
    'x-github-delivery': id,
    'x-github-hook-id': HOOK.id,
    'x-github-hook-installation-target-type': HOOK.targetType,
    'x-github-hook-installation-target-id': HOOK.targetId,
  }),
  dedupeKey: 'x-github-delivery',
  notes: [
    'Event names are X-GitHub-Event plus the payload\'s action: pull_request.opened sends X-GitHub-Event: pull_request.',
    'Both X-Hub-Signature-256 and the legacy SHA-1 X-Hub-Signature are sent; verify the SHA-256 one.',
  ],
};
