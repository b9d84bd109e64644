import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ListenEvent } from '../listen-events.js';

/** Where a provider's registration API is and the key it takes (from --api-base / env / config). */
export interface RegistrationApi {
  readonly apiBase: string;
  readonly apiKey: string;
  readonly dispatcher?: Dispatcher;
  /** Per request (default 10 s): a dead API is an error, not a hang. */
  readonly timeoutMs?: number;
}

/** What a registrar reports: its registration states, warnings, and the deliveries it asked to be retried. */
export type RegistrationEvent = Extract<ListenEvent, { type: 'registration' | 'warning' | 'catch-up' }>;

/** What one `listen` session gives its registrar. */
export interface RegistrationContext {
  readonly storeDir: string;
  readonly clock: Clock;
  /** The provider's name in messages ("PayKore"). */
  readonly provider: string;
  /**
   * Keep the endpoint (and its secret, in the store) after the session: `catch-up` (and have the
   * provider retry what failed while listen was down), `keep-endpoint`; undefined: delete it on stop.
   */
  readonly keep?: 'catch-up' | 'keep-endpoint' | undefined;
  readonly onEvent: (event: RegistrationEvent) => void;
}

/** The endpoint a session delivers to. */
export interface Registration {
  readonly endpointId: string;
  /** The secret deliveries are signed with, when the provider made or kept one. */
  readonly secret?: string | undefined;
  /** An endpoint kept by an earlier session, taken over (rather than a new one). */
  readonly adopted: boolean;
}

/**
 * A provider's endpoint registration, as `listen` drives it: `start` registers (or adopts) an
 * endpoint for the public URL, `moved` points it at a new URL, `stop` deletes it (or keeps it, as
 * the context asked). One registrar serves one session. A provider with an endpoints API supplies
 * one through its profile (`registration.registrar`).
 */
export interface EndpointRegistrar {
  /** The API is on loopback (a local sandbox): it can deliver to the local receiver, no tunnel needed. */
  readonly reachesLoopback: boolean;
  start(url: string, context: RegistrationContext): Promise<Registration>;
  /** The public URL changed (the tunnel reopened elsewhere): move the endpoint; nothing when it is already there. */
  moved(url: string): Promise<void>;
  /** Delete the endpoint, or report it kept; idempotent. */
  stop(): Promise<void>;
  /**
   * After adopting a kept endpoint with `catch-up`: ask the provider to retry, one at a time, what
   * failed while listen was down. `around` wraps each retry (listen marks what arrives meanwhile).
   */
  catchUp?(around: (retry: () => Promise<void>) => Promise<void>): Promise<void>;
}

/** Makes a session's registrar, given the API and the event types to subscribe to (all when empty). */
export type RegistrarFactory = (api: RegistrationApi, options: { readonly events?: readonly string[] | undefined }) => Promise<EndpointRegistrar>;
