import { summarizeRequest, withOutcome, type DeliveryFeed, type DeliverySummary } from '../../src/store/feed.js';
import type { Delivery, OutcomeRecord, RequestRecord } from '../../src/store/types.js';

/** A DeliveryFeed held in memory, for the view's component tests. */
export class MemoryFeed implements DeliveryFeed {
  private readonly rows: DeliverySummary[] = [];
  private readonly records = new Map<string, { index: number; request: RequestRecord; outcome?: OutcomeRecord }>();
  private readonly listeners = new Set<() => void>();

  addRequest(request: RequestRecord): void {
    this.records.set(request.id, { index: this.rows.length, request });
    this.rows.push(summarizeRequest(request));
    this.notify();
  }

  addOutcome(outcome: OutcomeRecord): void {
    const entry = this.records.get(outcome.id);
    if (!entry) return;
    entry.outcome = outcome;
    this.rows[entry.index] = withOutcome(this.rows[entry.index]!, outcome);
    this.notify();
  }

  size(): number {
    return this.rows.length;
  }

  summaries(start: number, end: number): readonly DeliverySummary[] {
    return this.rows.slice(Math.max(0, start), Math.max(0, end));
  }

  async load(id: string): Promise<Delivery | undefined> {
    const entry = this.records.get(id);
    return entry && (entry.outcome ? { request: entry.request, outcome: entry.outcome } : { request: entry.request });
  }

  async searchBodies(text: string): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    for (const [id, entry] of this.records) if (text !== '' && Buffer.from(entry.request.bodyBase64, 'base64').includes(text)) found.add(id);
    return found;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
