import type { DeliveryFeed, DeliverySummary, Tally } from '../../src/store/feed.js';
import { SummaryIndex } from '../../src/store/summary-index.js';
import type { Delivery, OutcomeRecord, RequestRecord } from '../../src/store/types.js';

/** A DeliveryFeed held in memory, for the view's component tests. */
export class MemoryFeed implements DeliveryFeed {
  private readonly index = new SummaryIndex();
  private readonly records = new Map<string, { request: RequestRecord; outcome?: OutcomeRecord }>();
  private readonly listeners = new Set<() => void>();

  addRequest(request: RequestRecord): void {
    this.records.set(request.id, { request });
    this.index.add(request, 0, 0);
    this.notify();
  }

  addOutcome(outcome: OutcomeRecord): void {
    const entry = this.records.get(outcome.id);
    if (!entry) return;
    entry.outcome = outcome;
    this.index.add(outcome, 0, 0);
    this.notify();
  }

  size(): number {
    return this.index.size;
  }

  summaries(start: number, end: number): readonly DeliverySummary[] {
    return this.index.summaries(start, end);
  }

  tally(): Tally {
    return this.index.tally();
  }

  replaysOf(id: string): readonly DeliverySummary[] {
    return this.index.replaysOf(id);
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
