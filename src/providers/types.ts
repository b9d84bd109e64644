import type { RegistrarFactory } from '../registration/types.js';
import type { HeaderRecord, SignatureScheme } from '../signing/types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const duration = { SECOND, MINUTE, HOUR, DAY } as const;

/** Everything `webhook` knows about one provider. Adding a provider = one file like this + fixtures. */
export interface ProviderProfile {
  /** Lower-case id used on the command line and as the fixtures folder name. */
  readonly name: string;
  readonly displayName: string;
  readonly scheme: SignatureScheme;
  readonly secret: {
    /** Environment variable read when --secret is not given. */
    readonly envVar: string;
    /** What the secret looks like, for messages, e.g. "sk_test_...". */
    readonly format: string;
    /** Where the user finds it. */
    readonly where: string;
    /**
     * Secrets of the wrong kind, recognised by their shape (first match wins): using one prints
     * one warning naming what it looks like and `where` the right one lives, never the value.
     */
    readonly mistakes?: readonly SecretMistake[];
  };
  /** How long the provider waits for a 2xx before counting a failure. */
  readonly timeoutMs: number;
  /**
   * Delay before each retry after a failed attempt (retry n waits retryDelaysMs[n-1]).
   * When every retry has failed too, the delivery is abandoned.
   */
  readonly retryDelaysMs: readonly number[];
  /**
   * Every documented retry schedule by mode, when there are several (Paystack: test and live);
   * `retryDelaysMs` is the `defaultRetryMode`'s. Same shape as retryDelaysMs.
   */
  readonly retryModes?: Readonly<Record<string, readonly number[]>>;
  /** The mode `retryDelaysMs` belongs to (with retryModes). */
  readonly defaultRetryMode?: string;
  /** The provider disables an endpoint when every attempt to it has failed for this long (Koard: 5 days). */
  readonly disableEndpointAfterFailingMs?: number;
  /** Headers every delivery carries besides the signature ones (user-agent, content-type). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The event type of a delivery (from the payload or a header). */
  eventType(payload: unknown, headers: HeaderRecord): string | undefined;
  /**
   * The top-level payload field `eventType` reads, when that string is all it reads (set both
   * with `eventInField`): the receiver then reads the event without parsing the whole body.
   */
  readonly eventField?: string;
  /** Extra headers for one delivery of an event (e.g. GitHub's x-github-event). */
  eventHeaders?(event: string, id: string): Record<string, string>;
  /** The value receivers dedupe on (e.g. data.id), as a path into the payload. */
  readonly dedupeKey?: string;
  /**
   * A registration API `listen` can use, when the provider has one: where it is (and the env var
   * that moves it, e.g. to a local sandbox), the key's env var, and the registrar that drives it
   * (loaded when listen registers, not before). A second provider with an endpoints API is a
   * second registrar, not a change to listen.
   */
  readonly registration?: { readonly apiKeyEnv: string; readonly apiBaseEnv: string; readonly apiBase: string; readonly registrar: RegistrarFactory };
  /** Where to paste the public URL when there is no registration API. */
  readonly dashboardHint?: string;
  /** Addresses deliveries come from, worth a warning for users who allowlist. */
  readonly sourceIps?: readonly string[];
  /** Event types declared in config for a custom provider (fixtures add more). */
  readonly declaredEvents?: readonly string[];
  /** True for providers described in the user's config. */
  readonly custom?: boolean;
  /** Notes worth showing in docs and `providers --json`. */
  readonly notes?: readonly string[];
}

/** A secret of the wrong kind: `pattern` recognises it, `looksLike` says what it is (e.g. "a Stripe API key (sk_/rk_)"). */
export interface SecretMistake {
  readonly pattern: RegExp;
  readonly looksLike: string;
}

/** Read `payload[field]` when it is a string. */
export function stringField(payload: unknown, field: string): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const value = (payload as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** A profile's event type when it is the string in a top-level field of the payload. */
export function eventInField(field: string): Pick<ProviderProfile, 'eventType' | 'eventField'> {
  return { eventField: field, eventType: (payload) => stringField(payload, field) };
}
