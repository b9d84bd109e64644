import { UsageError } from './errors.js';
import type { ProviderProfile } from './providers/types.js';
import { keysDir, loadOrCreateKeyPair } from './store/keys.js';

export interface ResolvedSecret {
  readonly value: string;
  /** Where it came from, safe to print: "--secret" or "$PAYSTACK_SECRET_KEY". */
  readonly source: string;
}

/**
 * The secret for a provider: `--secret`, else the provider's env var (config may rename it);
 * for schemes that sign with a private key, else the stored test key pair (made on first use).
 * Checked against the scheme so a malformed secret is a usage error, never a wrong signature.
 */
export function resolveSecret(
  profile: ProviderProfile,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  options: { required?: boolean; warn?: (text: string) => void; cwd?: string } = {},
): ResolvedSecret | undefined {
  const fromEnv = env[profile.secret.envVar];
  let resolved =
    flag !== undefined ? { value: flag, source: '--secret' } : fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: `$${profile.secret.envVar}` } : undefined;
  if (!resolved && profile.scheme.keyPair) {
    const pair = loadOrCreateKeyPair(keysDir(env, options.cwd ?? process.cwd()), profile.name, profile.scheme.keyPair);
    resolved = { value: pair.privateKeyPem, source: `the test key pair (\`webhook keys ${profile.name}\`)` };
  }
  if (!resolved) {
    if (options.required === false) return undefined;
    throw new UsageError(`no secret for ${profile.name}`, {
      hint: `pass --secret <${profile.secret.format}> or set ${profile.secret.envVar} (${profile.secret.where})`,
    });
  }
  const problem = profile.scheme.checkSecret(resolved.value);
  const mistake = secretMistake(profile, resolved.value);
  if (problem) {
    throw new UsageError(`the ${profile.name} secret from ${resolved.source} cannot be used: ${problem}${mistake ? `; it looks like ${mistake}` : ''}`, {
      hint: `a ${profile.name} secret looks like ${profile.secret.format} (${profile.secret.where})`,
    });
  }
  if (mistake) options.warn?.(`the ${profile.name} secret from ${resolved.source} looks like ${mistake}; ${profile.displayName} webhooks are signed with ${profile.secret.format}: ${profile.secret.where}`);
  return resolved;
}

/** What a secret of the wrong kind looks like, from the profile's declared mistakes (never the value itself). */
export function secretMistake(profile: ProviderProfile, secret: string): string | undefined {
  return profile.secret.mistakes?.find((m) => m.pattern.test(secret))?.looksLike;
}

/** A secret as it may be shown: its non-secret prefix and its length, never the key material. */
export function maskSecret(secret: string): string {
  const prefix = /^(whsec_|sk_test_|sk_live_|pk_test_|sk_)/.exec(secret)?.[1] ?? '';
  return `${prefix}${'•'.repeat(4)} (${secret.length} chars)`;
}

/** Replace every occurrence of the given secrets in a text (for logs and error messages). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(maskSecret(secret));
  return out;
}
