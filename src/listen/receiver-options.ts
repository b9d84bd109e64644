import type { Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import type { ProviderProfile } from '../providers/types.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { DeliverySource, OutcomeRecord, RequestRecord } from '../store/types.js';
import type { Route } from './forward.js';

/** How a receiver is set up: what the receiver (receiver.ts) and its pipeline steps (intake.ts, pipeline.ts) read. */
export interface ReceiverOptions {
  readonly profile: ProviderProfile;
  /** Current webhook secret (a function: registration may set it after start). Undefined: verdict "unknown". */
  readonly secret: () => string | undefined;
  /** Default target; the received path is appended to its path. */
  readonly forwardTo: URL;
  readonly routes?: readonly Route[];
  /** Only these event types are forwarded (others are answered 200 and logged as skipped). */
  readonly events?: readonly string[];
  readonly port?: number;
  readonly host?: string;
  /** Bodies over this size are answered 413 and logged (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Forward timeout (default: the provider's). */
  readonly timeoutMs?: number;
  /** Time allowed to receive a whole request (default: the forward timeout + 5 s). */
  readonly requestTimeoutMs?: number;
  readonly log: DeliveryLog;
  readonly clock: Clock;
  readonly dispatcher?: Dispatcher;
  /** listen's own health probes: answered 204 at once, neither logged nor forwarded. */
  readonly selfCheck?: { readonly header: string; readonly token: string };
  /** How to mark deliveries arriving now (e.g. "catch-up" while listen asks the provider to retry). */
  readonly sourceNow?: () => DeliverySource | undefined;
  /** The URL senders reach this receiver at (the public tunnel URL), for schemes whose signature covers it. Default: the local URL. */
  readonly publicUrl?: () => string | undefined;
  /** Requests too malformed to record (HTTP parse errors), one line each. */
  readonly onProblem?: (message: string) => void;
  /** Called once per delivery, after its outcome is recorded. */
  readonly onDelivery?: (request: RequestRecord, outcome: OutcomeRecord) => void;
  /** What the public receiver accepts (memory and connection budget, methods, verdicts). */
  readonly guard?: ReceiverGuard;
}

/** What the receiver lets through; it is on the internet behind the tunnel. */
export interface ReceiverGuard {
  /**
   * Request bodies held in memory at once, across all requests, until each is forwarded and
   * recorded (default 32 MiB). A request that would go over it is answered 503 with Retry-After
   * (providers retry) and logged without its body.
   */
  readonly maxInFlightBytes?: number;
  /** Open connections at once (default 256); a connection over it is answered 503 and closed. */
  readonly maxConnections?: number;
  /** Forward only deliveries whose signature verified; others are answered 401 and logged (default false). */
  readonly verifiedOnly?: boolean;
  /** Forward any method; by default only POST is, others are answered 405 and logged (default false). */
  readonly anyMethod?: boolean;
}
