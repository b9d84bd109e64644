import type { VerifyFailureReason } from '../signing/types.js';
import type { SendOutcome } from '../send-outcome.js';

/** What signature checking said about a received delivery. */
export type SignatureVerdict =
  | { readonly state: 'verified' }
  | { readonly state: 'failed'; readonly reason: VerifyFailureReason; readonly detail: string }
  | { readonly state: 'unknown'; readonly detail: string };

/** How a delivery reached the receiver. */
export type DeliverySource = 'provider' | 'trigger' | 'replay' | 'resend' | 'self-check' | 'catch-up';

/**
 * A delivery as received, appended to the log BEFORE it is forwarded.
 * Bodies are stored as base64 so every byte survives (the log is NDJSON).
 */
export interface RequestRecord {
  readonly kind: 'request';
  /** Local delivery id, unique in the store (sortable). */
  readonly id: string;
  /**
   * The provider's own id for this delivery when it carries one (svix-id, X-GitHub-Delivery,
   * Stripe's event id, PayKore's data.id...): accepted wherever a delivery id is.
   */
  readonly messageId?: string;
  /** Wall-clock ms since the epoch. */
  readonly receivedAt: number;
  readonly provider: string;
  readonly event?: string;
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly bodyBase64: string;
  readonly bodySize: number;
  readonly signature: SignatureVerdict;
  readonly source?: DeliverySource;
  /** For replays and resends: the delivery this one copies. */
  readonly replayOf?: string;
}

/** What the app answered (status, or why none came; how long it took), appended AFTER forwarding. */
export interface OutcomeRecord extends SendOutcome {
  readonly kind: 'outcome';
  readonly id: string;
  readonly at: number;
  /** Where it was forwarded. */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly bodyExcerptBase64?: string;
  /** What the receiver answered the sender: the app's status, or 502/504/413... */
  readonly answered: number;
  /** Not forwarded on purpose (filtered by --events), with why. */
  readonly skipped?: string;
}

export type LogRecord = RequestRecord | OutcomeRecord;

/** A delivery with its outcome once known: what views and `webhook log` show. */
export interface Delivery {
  readonly request: RequestRecord;
  readonly outcome?: OutcomeRecord;
}
