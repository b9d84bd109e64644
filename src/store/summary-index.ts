import type { DeliverySummary, Tally } from './feed.js';
import type { DeliverySource, LogRecord, OutcomeRecord, RequestRecord } from './types.js';

/** Where a delivery's records are in the log file. */
export interface RecordPlace {
  readonly requestOffset: number;
  readonly requestLength: number;
  readonly outcomeOffset?: number | undefined;
  readonly outcomeLength?: number | undefined;
}

const SIGNATURES = ['verified', 'failed', 'unknown'] as const;
const SOURCES: readonly (DeliverySource | undefined)[] = [undefined, 'provider', 'trigger', 'replay', 'resend', 'self-check', 'catch-up'];

/** Every distinct string once; a column holds its number (0: none). */
class StringTable {
  private readonly numbers = new Map<string, number>();
  private readonly values: (string | undefined)[] = [undefined];
  number(value: string | undefined): number {
    if (value === undefined) return 0;
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.values.push(value);
      this.numbers.set(value, n);
    }
    return n;
  }
  value(n: number): string | undefined {
    return this.values[n];
  }
}

/**
 * Strings of one per row (ids, message ids), kept as UTF-8 bytes in one growing buffer rather than
 * as a string object each: a long session's index adds no objects to the heap per delivery, which
 * the collector would copy while young and mark ever after. Rows are set in order, once each. A
 * string UTF-8 cannot hold exactly (a lone surrogate, from a hostile payload) is kept as it is.
 */
class PackedStrings {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  /** Where row i's bytes start; NaN: no value. */
  private starts = new Float64Array(1024).fill(Number.NaN);
  private lengths = new Uint32Array(1024);
  private readonly unpacked = new Map<number, string>();

  set(i: number, value: string | undefined): void {
    if (i >= this.starts.length) this.reserve(Math.ceil(i * 1.5) + 1);
    if (value === undefined) return;
    if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) {
      this.unpacked.set(i, value);
      return;
    }
    if (this.used + value.length * 3 > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + value.length * 3));
      this.bytes.copy(next, 0, 0, this.used);
      this.bytes = next;
    }
    const length = this.bytes.write(value, this.used, 'utf8');
    this.starts[i] = this.used;
    this.lengths[i] = length;
    this.used += length;
  }

  get(i: number): string | undefined {
    const start = this.starts[i];
    if (start === undefined || Number.isNaN(start)) return this.unpacked.size > 0 ? this.unpacked.get(i) : undefined;
    return this.bytes.toString('utf8', start, start + this.lengths[i]!);
  }

  reserve(rows: number): void {
    if (rows <= this.starts.length) return;
    const starts = new Float64Array(rows).fill(Number.NaN);
    starts.set(this.starts);
    const lengths = new Uint32Array(rows);
    lengths.set(this.lengths);
    this.starts = starts;
    this.lengths = lengths;
  }
}

/** "No value" in an integer column. */
const NONE = -0x80000000;
/** A number read from a file, as an Int32 column keeps it (statuses and the like; never NONE). */
const int32 = (n: number) => Math.max(NONE + 1, Math.min(0x7fffffff, Math.trunc(n)));

/** Typed-array columns, grown by half each time. */
function columns(capacity: number) {
  return {
    receivedAt: new Float64Array(capacity),
    requestOffset: new Float64Array(capacity),
    requestLength: new Uint32Array(capacity),
    /** NaN: no outcome yet. */
    outcomeOffset: new Float64Array(capacity).fill(Number.NaN),
    outcomeLength: new Uint32Array(capacity),
    bodySize: new Uint32Array(capacity),
    /** NONE: no status (no answer came). */
    status: new Int32Array(capacity),
    /** NONE: no outcome yet. */
    answered: new Int32Array(capacity).fill(NONE),
    durationMs: new Float32Array(capacity),
    /** signature (2 bits) | source << 2 */
    flags: new Uint8Array(capacity),
    provider: new Uint32Array(capacity),
    event: new Uint32Array(capacity),
    method: new Uint32Array(capacity),
    path: new Uint32Array(capacity),
    target: new Uint32Array(capacity),
    errorKind: new Uint32Array(capacity),
    skipped: new Uint32Array(capacity),
  };
}
type Columns = ReturnType<typeof columns>;

function grown(old: Columns, capacity: number): Columns {
  const next = columns(capacity);
  for (const key of Object.keys(old) as (keyof Columns)[]) (next[key] as Float64Array).set(old[key] as unknown as Float64Array);
  return next;
}

function link(index: Map<string, number | number[]>, messageId: string, i: number): void {
  const carrying = index.get(messageId);
  if (carrying === undefined) index.set(messageId, i);
  else if (typeof carrying === 'number') index.set(messageId, [carrying, i]);
  else carrying.push(i);
}

const offsetOrUndefined = (n: number) => (Number.isNaN(n) ? undefined : n);

/**
 * The in-memory index of a delivery log: per delivery a summary and where its records are, kept
 * in typed-array columns with each distinct string stored once, and ids and message ids packed as
 * bytes. 100,000 deliveries cost a few megabytes, and appending adds no object per delivery (no
 * heap churn); summaries are made on demand, for the rows a view actually shows.
 */
export class SummaryIndex {
  private rows = 0;
  private cols = columns(1024);
  private readonly strings = new StringTable();
  private readonly ids = new PackedStrings();
  /**
   * Delivery id → its row (the newest, for an id that came twice): built when first asked
   * (`place`, `resolveId`), then kept up to date. A session that only appends never builds it:
   * a map of every id was a measurable part of what indexing a delivery cost.
   */
  private positions: Map<string, number> | undefined;
  /** Rows whose outcome has not come yet, by id: where an outcome is filed without the map of every id. */
  private readonly awaiting = new Map<string, number>();
  /** The provider's message id of each row, when it carries one. */
  private readonly messageIds = new PackedStrings();
  /** Sparse: few deliveries are replays. */
  private readonly replayOf = new Map<number, string>();
  /**
   * Provider message id → the deliveries carrying it, in arrival order (one, or several): built
   * when first asked (`resolveId`), then kept up to date; a view that never asks never pays for it.
   */
  private byMessageId: Map<string, number | number[]> | undefined;
  /** Delivery id → the replays and resends of it. */
  private readonly replays = new Map<string, number[]>();
  private readonly totals = { ok: 0, failed: 0, signatureFailures: 0, providers: new Set<string>() };

  /**
   * Make room for `rows` deliveries at once (an estimate from the log's size): growing a column
   * copies it, so a large log indexed row by row would hold two copies of every column at its peak.
   */
  reserve(rows: number): void {
    if (rows > this.cols.receivedAt.length) this.cols = grown(this.cols, rows);
    this.ids.reserve(rows);
    this.messageIds.reserve(rows);
  }

  get size(): number {
    return this.rows;
  }

  /** Index one record read from (or appended to) the log at `offset`, `length` bytes long. */
  add(record: LogRecord, offset: number, length: number): void {
    if (record.kind === 'request') this.addRequest(record, offset, length);
    else this.addOutcome(record, offset, length);
  }

  private addRequest(record: RequestRecord, offset: number, length: number): void {
    // A second request record with a known id (another writer, a planted line) is a row of its
    // own, as every record is; the id then names the newest.
    const known = this.byMessageId !== undefined && this.positionsIndex().has(record.id);
    const i = this.rows++;
    if (i === this.cols.receivedAt.length) this.cols = grown(this.cols, Math.ceil(i * 1.5));
    this.ids.set(i, record.id);
    this.positions?.set(record.id, i);
    this.awaiting.set(record.id, i);
    this.messageIds.set(i, record.messageId);
    if (record.messageId !== undefined && !known && this.byMessageId) link(this.byMessageId, record.messageId, i);
    if (record.replayOf !== undefined) this.linkReplay(record.replayOf, i);
    const c = this.cols;
    c.receivedAt[i] = record.receivedAt;
    c.requestOffset[i] = offset;
    c.requestLength[i] = length;
    c.bodySize[i] = Math.min(record.bodySize, 0xffffffff);
    const source = record.source === 'provider' ? 0 : Math.max(0, SOURCES.indexOf(record.source));
    c.flags[i] = SIGNATURES.indexOf(record.signature.state) | (source << 2);
    c.provider[i] = this.strings.number(record.provider);
    this.totals.providers.add(record.provider);
    c.event[i] = this.strings.number(record.event);
    c.method[i] = this.strings.number(record.method);
    c.path[i] = this.strings.number(record.path);
  }

  private addOutcome(record: OutcomeRecord, offset: number, length: number): void {
    let i = this.awaiting.get(record.id);
    if (i !== undefined) this.awaiting.delete(record.id);
    else i = this.positionsIndex().get(record.id);
    if (i === undefined) return;
    const c = this.cols;
    if (c.answered[i] !== NONE) this.tallyRow(i, -1);
    c.outcomeOffset[i] = offset;
    c.outcomeLength[i] = length;
    c.target[i] = this.strings.number(record.target);
    c.status[i] = record.status === undefined ? NONE : int32(record.status);
    c.answered[i] = int32(record.answered);
    c.durationMs[i] = record.durationMs;
    c.errorKind[i] = this.strings.number(record.error?.kind);
    c.skipped[i] = this.strings.number(record.skipped);
    this.tallyRow(i, 1);
  }

  /** Count an answered row in the totals (+1), or take it out again (-1) when a later outcome replaces it. */
  private tallyRow(i: number, by: 1 | -1): void {
    const answered = this.cols.answered[i]!;
    if (answered >= 200 && answered < 300) this.totals.ok += by;
    else this.totals.failed += by;
    if ((this.cols.flags[i]! & 3) === 1) this.totals.signatureFailures += by;
  }

  tally(): Tally {
    return { total: this.rows, ...this.totals };
  }

  private positionsIndex(): Map<string, number> {
    if (this.positions) return this.positions;
    const index = new Map<string, number>();
    // Later rows replace earlier ones: an id that came twice names the newest.
    for (let i = 0; i < this.rows; i++) index.set(this.ids.get(i)!, i);
    this.positions = index;
    return index;
  }

  private messageIdIndex(): Map<string, number | number[]> {
    if (this.byMessageId) return this.byMessageId;
    const index = new Map<string, number | number[]>();
    const seen = new Set<string>();
    for (let i = 0; i < this.rows; i++) {
      const messageId = this.messageIds.get(i);
      // As when indexed live: only the first row of an id links its message id.
      const id = this.ids.get(i)!;
      if (messageId !== undefined && !seen.has(id)) link(index, messageId, i);
      seen.add(id);
    }
    this.byMessageId = index;
    return index;
  }

  private linkReplay(original: string, i: number): void {
    this.replayOf.set(i, original);
    const list = this.replays.get(original);
    if (list) list.push(i);
    else this.replays.set(original, [i]);
  }

  /** The summary of the delivery at arrival position `i`. */
  summary(i: number): DeliverySummary {
    const c = this.cols;
    const s = this.strings;
    const source = SOURCES[c.flags[i]! >> 2];
    const answered = c.answered[i] === NONE ? undefined : c.answered[i]!;
    const messageId = this.messageIds.get(i);
    const summary: DeliverySummary = {
      id: this.ids.get(i)!,
      ...(messageId !== undefined ? { messageId } : {}),
      receivedAt: c.receivedAt[i]!,
      provider: s.value(c.provider[i]!) ?? '',
      event: s.value(c.event[i]!),
      method: s.value(c.method[i]!) ?? '',
      path: s.value(c.path[i]!) ?? '',
      bodySize: c.bodySize[i]!,
      signature: SIGNATURES[c.flags[i]! & 3]!,
      ...(source !== undefined ? { source } : {}),
      ...(this.replayOf.has(i) ? { replayOf: this.replayOf.get(i) } : {}),
    };
    if (answered === undefined) return summary;
    const status = c.status[i] === NONE ? undefined : c.status[i]!;
    const errorKind = s.value(c.errorKind[i]!);
    const skipped = s.value(c.skipped[i]!);
    return {
      ...summary,
      target: s.value(c.target[i]!),
      ...(status !== undefined ? { status } : {}),
      answered,
      durationMs: c.durationMs[i]!,
      ...(errorKind !== undefined ? { errorKind } : {}),
      ...(skipped !== undefined ? { skipped } : {}),
    };
  }

  /** Summaries for [start, end) in arrival order. */
  summaries(start: number, end: number): DeliverySummary[] {
    const rows: DeliverySummary[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.rows); i++) rows.push(this.summary(i));
    return rows;
  }

  /** Where the records of delivery `id` are in the file. */
  place(id: string): RecordPlace | undefined {
    const i = this.positionsIndex().get(id);
    if (i === undefined) return undefined;
    const c = this.cols;
    const outcomeOffset = offsetOrUndefined(c.outcomeOffset[i]!);
    return { requestOffset: c.requestOffset[i]!, requestLength: c.requestLength[i]!, ...(outcomeOffset !== undefined ? { outcomeOffset, outcomeLength: c.outcomeLength[i]! } : {}) };
  }

  /** The replays and resends of delivery `id`, oldest first. */
  replaysOf(id: string): DeliverySummary[] {
    return (this.replays.get(id) ?? []).map((i) => this.summary(i));
  }

  /** Delivery ids for what a user typed: the id; else the deliveries carrying that message id; else ids containing it. */
  resolveId(partial: string): string[] {
    if (this.positionsIndex().has(partial)) return [partial];
    const carrying = this.messageIdIndex().get(partial);
    if (carrying !== undefined) return (typeof carrying === 'number' ? [carrying] : carrying).map((i) => this.ids.get(i)!);
    const found: string[] = [];
    for (let i = 0; i < this.rows; i++) {
      const id = this.ids.get(i)!;
      if (id.includes(partial)) found.push(id);
    }
    return found;
  }
}
