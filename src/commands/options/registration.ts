import { parseHttpUrl } from '../../input.js';
import type { ProviderProfile } from '../../providers/types.js';
import type { EndpointRegistrar, RegistrationApi } from '../../registration/types.js';

/**
 * The provider's registration API, when it has one and an API key is set: base from --api-base,
 * the provider's base variable ($PAYKORE_API_BASE), else the provider's own; key from its env var (never a flag, so it
 * stays out of shell history). Undefined with --no-register or without a key.
 */
export function registrationApi(options: { register?: boolean | undefined; apiBase?: string | undefined }, profile: ProviderProfile, env: NodeJS.ProcessEnv): RegistrationApi | undefined {
  if (!profile.registration || options.register === false) return undefined;
  const apiKey = env[profile.registration.apiKeyEnv];
  if (!apiKey) return undefined;
  const apiBase = parseHttpUrl('--api-base', options.apiBase ?? env[profile.registration.apiBaseEnv] ?? profile.registration.apiBase).toString();
  return { apiBase, apiKey };
}

/** The session's registrar, made by the provider's profile, when registration is on (as `registrationApi` decides). */
export async function endpointRegistrar(options: { register?: boolean | undefined; apiBase?: string | undefined }, profile: ProviderProfile, env: NodeJS.ProcessEnv, events: readonly string[] | undefined): Promise<EndpointRegistrar | undefined> {
  const api = registrationApi(options, profile, env);
  return api && profile.registration ? profile.registration.registrar(api, { events }) : undefined;
}
