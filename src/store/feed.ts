import type { Delivery, DeliverySource } from './types.js';

/**
 * The small per-delivery row that views keep in memory (tens of bytes of strings, no bodies),
 * so 100,000 deliveries stay cheap. Full records are read back from the log on demand.
 */
export interface DeliverySummary {
  readonly id: string;
  /** The provider's own id (see RequestRecord.messageId). */
  readonly messageId?: string | undefined;
  readonly receivedAt: number;
  /** The provider profile that received it (the view shows a column when several share a log). */
  readonly provider: string;
  readonly event?: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly bodySize: number;
  readonly signature: 'verified' | 'failed' | 'unknown';
  readonly source?: DeliverySource | undefined;
  readonly replayOf?: string | undefined;
  /** Filled when the outcome is appended. */
  readonly target?: string | undefined;
  readonly status?: number | undefined;
  readonly answered?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly errorKind?: string | undefined;
  readonly skipped?: string | undefined;
}

/** Running totals for a status bar: kept as records arrive, so no view counts 100,000 rows. */
export interface Tally {
  readonly total: number;
  /** Answered 2xx by the app. */
  readonly ok: number;
  /** Answered otherwise, or not at all. */
  readonly failed: number;
  /** Answered deliveries whose signature failed. */
  readonly signatureFailures: number;
  /** Every provider seen (a view shows a provider column when there are several). */
  readonly providers: ReadonlySet<string>;
}

/**
 * What a view (the Ink UI, plain lines, `webhook log`) reads: a live, ordered list of summaries
 * with the full delivery loaded lazily. Implemented by the durable DeliveryLog and by an
 * in-memory feed for tests.
 */
export interface DeliveryFeed {
  /** Number of deliveries so far (arrival order). */
  size(): number;
  /** Summaries for [start, end) in arrival order. */
  summaries(start: number, end: number): readonly DeliverySummary[];
  /** Running totals (answered ok, failed, bad signatures, providers seen). */
  tally(): Tally;
  /** The replays and resends of delivery `id`, oldest first. */
  replaysOf(id: string): readonly DeliverySummary[];
  /** Full request + outcome, read from the log. */
  load(id: string): Promise<Delivery | undefined>;
  /** Ids of deliveries whose body contains text (for the UI's "/" filter). */
  searchBodies(text: string, signal?: AbortSignal): Promise<ReadonlySet<string>>;
  /** Called after each appended record; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
}
