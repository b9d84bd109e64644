import { closest } from 'fastest-levenshtein';
import type { ProviderConfig, SchemeConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { hmacScheme, placeholders } from '../signing/hmac.js';
import { standardWebhooksScheme } from '../signing/standard.js';
import { stripeScheme } from '../signing/stripe.js';
import type { SignatureScheme } from '../signing/types.js';
import { generic } from './generic.js';
import { duration, eventInField, type ProviderProfile } from './types.js';

/*
 * Config applied to provider profiles, and the lookup by name, apart from the profiles themselves:
 * the registry of every profile (index.ts) and the one-profile loader (load.ts) share them.
 */

/** Build a signature scheme from its config description. */
export function schemeFromConfig(spec: SchemeConfig): SignatureScheme {
  switch (spec.type) {
    case 'standard':
      return standardWebhooksScheme(spec.headerFamily, spec.toleranceSeconds);
    case 'stripe':
      return stripeScheme(spec.toleranceSeconds);
    default: {
      const used = placeholders(spec.signedContent);
      if (used.filter((p) => p === 'body').length !== 1) {
        throw new UsageError(`scheme.signedContent "${spec.signedContent}" must contain {body} exactly once`, {
          hint: 'e.g. "{body}", "{timestamp}.{body}", "v0:{timestamp}:{body}" or "{url}{body}"',
        });
      }
      if (used.includes('timestamp') && !spec.timestampHeader && !spec.signatureFormat?.includes('{timestamp}')) {
        throw new UsageError(`scheme.signedContent "${spec.signedContent}" needs scheme.timestampHeader`, {
          hint: 'name the header that carries the timestamp, e.g. "timestampHeader": "x-webhook-timestamp" (or put {timestamp} in scheme.signatureFormat)',
        });
      }
      if (used.includes('id') && !spec.idHeader) {
        throw new UsageError(`scheme.signedContent "${spec.signedContent}" needs scheme.idHeader`, {
          hint: 'name the header that carries the message id, e.g. "idHeader": "x-webhook-id"',
        });
      }
      if (spec.signatureFormat && spec.prefix) {
        throw new UsageError('scheme.prefix and scheme.signatureFormat cannot both be set', {
          hint: `put the prefix in the format instead, e.g. "signatureFormat": "${spec.prefix}{signature}"`,
        });
      }
      return hmacScheme(spec);
    }
  }
}

/** A profile with what config says about it. */
export function applyConfig(base: ProviderProfile, cfg: ProviderConfig): ProviderProfile {
  return {
    ...base,
    ...(cfg.displayName ? { displayName: cfg.displayName } : {}),
    ...(cfg.scheme ? { scheme: schemeFromConfig(cfg.scheme) } : {}),
    secret: { ...base.secret, ...(cfg.secretEnv ? { envVar: cfg.secretEnv } : {}) },
    ...(cfg.timeoutSeconds ? { timeoutMs: cfg.timeoutSeconds * duration.SECOND } : {}),
    // A configured schedule replaces every documented one (modes included).
    ...(cfg.retryDelaysSeconds ? { retryDelaysMs: cfg.retryDelaysSeconds.map((s) => s * duration.SECOND), retryModes: undefined, defaultRetryMode: undefined } : {}),
    ...(cfg.headers ? { requestHeaders: { ...base.requestHeaders, ...lowerKeys(cfg.headers) } } : {}),
    ...(cfg.eventField ? eventInField(cfg.eventField) : {}),
    ...(cfg.events ? { declaredEvents: cfg.events } : {}),
    ...(base.registration && (cfg.apiBase || cfg.apiKeyEnv)
      ? {
          registration: {
            ...base.registration,
            ...(cfg.apiBase ? { apiBase: cfg.apiBase } : {}),
            ...(cfg.apiKeyEnv ? { apiKeyEnv: cfg.apiKeyEnv } : {}),
          },
        }
      : {}),
  };
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A provider config describes that is no built-in. */
export function customProvider(name: string, cfg: ProviderConfig): ProviderProfile {
  if (!cfg.scheme) {
    throw new UsageError(`providers.${name}: a custom provider needs "scheme"`, {
      hint: `describe how ${name} signs, e.g. {"type": "hmac", "header": "x-signature", "algorithm": "sha256", "encoding": "hex"}`,
    });
  }
  const base: ProviderProfile = {
    ...generic,
    name,
    displayName: name,
    custom: true,
    secret: { envVar: `${name.toUpperCase().replace(/-/g, '_')}_WEBHOOK_SECRET`, format: 'any string', where: `${name}'s webhook settings` },
    notes: [],
  };
  return applyConfig(base, cfg);
}

/** The error for a provider name nobody knows: the closest known name and the rest. */
export function unknownProvider(name: string, known: readonly string[]): UsageError {
  const guess = closest(name.toLowerCase(), [...known]);
  return new UsageError(`unknown provider "${name}"`, {
    hint: `did you mean "${guess}"? Known providers: ${known.join(', ')} (or describe one under "providers" in webhook.config.json)`,
  });
}
