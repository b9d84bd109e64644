/*
 * The outcome of sending one delivery, in the words every part uses: the sender (delivery/),
 * the log (store/), listen and its session protocol, the reports. A leaf module: it imports
 * nothing of the project.
 */

/** Why no HTTP answer came back. */
export const SEND_ERROR_KINDS = ['refused', 'timeout', 'dns', 'reset', 'aborted', 'tls', 'other'] as const;
export type SendErrorKind = (typeof SEND_ERROR_KINDS)[number];

/** Why no answer came: its kind, and one line for people. */
interface SendError {
  readonly kind: SendErrorKind;
  readonly message: string;
}

/** What every send ends with: the answer's status, or why none came; how long it took. */
export interface SendOutcome {
  /** Undefined when no answer came (see error). */
  readonly status?: number | undefined;
  readonly durationMs: number;
  readonly error?: SendError;
}

/** Why a delivery through a `listen` session failed before the app's answer came back: the session is unreachable, gone, or refused the body as too large. */
export type SessionErrorKind = 'session' | 'session-gone' | 'too-large';

/** One event sent to an app, as trigger (its `--json` line), demo and the library report it. */
export interface DeliveryOutcome extends Omit<SendOutcome, 'error'> {
  readonly event: string;
  readonly provider: string;
  readonly url: string;
  /** True for a 2xx answer. */
  readonly ok: boolean;
  /**
   * The id to use with `log show`, `resend` and the view's filter: the delivery id when a
   * `listen` session recorded it, else the provider's message id as sent (a `listen` receiving
   * it records that id too).
   */
  readonly id: string;
  /** The provider's own id for the delivery (svix-id, X-GitHub-Delivery, event id, data.id...), when it carries one. */
  readonly messageId?: string;
  /** The start of the answer's body, as text. */
  readonly bodyExcerpt?: string;
  /** Why a listen session did not forward it (an event outside listen --events): not a failure. */
  readonly skipped?: string;
  /** Why no answer came: from sending, or from the listen session it went through. */
  readonly error?: { readonly kind: SendErrorKind | SessionErrorKind; readonly message: string };
}
