import { defaultRetryMode, retrySchedules } from './schedule.js';
import type { ProviderProfile } from './types.js';

/** A provider as shown by `webhook providers --json` and docs: never includes secrets. */
export function describeProvider(profile: ProviderProfile, events: readonly string[]) {
  return {
    name: profile.name,
    displayName: profile.displayName,
    scheme: profile.scheme.description,
    headers: profile.scheme.headers,
    secretEnv: profile.secret.envVar,
    secretFormat: profile.secret.format,
    timeoutMs: profile.timeoutMs,
    retryDelaysMs: profile.retryDelaysMs,
    retryMode: defaultRetryMode(profile),
    /** Every documented schedule by mode: attempts in all (the first is immediate) and the delay before each retry. */
    retrySchedules: Object.fromEntries(
      Object.entries(retrySchedules(profile)).map(([mode, delays]) => [mode, { attempts: delays.length + 1, retryDelaysMs: delays, lastAttemptAfterMs: delays.reduce((a, b) => a + b, 0) }]),
    ),
    disableEndpointAfterFailingMs: profile.disableEndpointAfterFailingMs ?? null,
    sourceIps: profile.sourceIps ?? [],
    registrationApi: profile.registration !== undefined,
    custom: profile.custom === true,
    eventCount: events.length,
    events,
  };
}
