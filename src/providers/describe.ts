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
    registrationApi: profile.registration !== undefined,
    custom: profile.custom === true,
    eventCount: events.length,
    events,
  };
}
