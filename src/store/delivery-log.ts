import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { summarizeRequest, withOutcome, type DeliveryFeed, type DeliverySummary } from './feed.js';
import type { Delivery, LogRecord, OutcomeRecord, RequestRecord } from './types.js';

export const LOG_FILE = 'deliveries.ndjson';

/** The durable, append-only delivery log: NDJSON, one whole record per write, read back by offset. */
export interface DeliveryLog extends DeliveryFeed {
  /** Append a received delivery; resolves once the bytes are written (forward only after that). */
  appendRequest(record: RequestRecord): Promise<void>;
  /** Append what the app answered. */
  appendOutcome(record: OutcomeRecord): Promise<void>;
  /** Problems found when opening (e.g. a torn last record skipped), one line each. */
  readonly warnings: readonly string[];
  readonly file: string;
  /**
   * Delivery ids for what a user typed: the delivery id itself; else every delivery carrying
   * that provider message id (oldest first; a retry or duplicate carries the same one); else
   * every delivery id containing `partial` (a unique piece of an id is enough).
   */
  resolveId(partial: string): string[];
  close(): Promise<void>;
}

interface Entry {
  index: number;
  requestOffset: number;
  requestLength: number;
  outcomeOffset?: number;
  outcomeLength?: number;
}

let sequence = 0;
/** Random per process, so two processes writing one store never make the same id. */
const PROCESS_TAG = randomBytes(3).toString('hex');
/** A local delivery id: sortable by time, unique within a process (counter) and across processes (tag). */
export function newDeliveryId(clock: Clock): string {
  sequence = (sequence + 1) % 36 ** 3;
  return `d${clock.now().toString(36).padStart(9, '0')}${sequence.toString(36).padStart(3, '0')}${PROCESS_TAG}`;
}

const NEWLINE = 0x0a;

/** Read every line of a file with its byte offset, streaming (bounded memory). */
async function* linesWithOffsets(file: string): AsyncGenerator<{ offset: number; bytes: Buffer; terminated: boolean }> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, start)) {
      yield { offset: offset + start, bytes: data.subarray(start, i), terminated: true };
      start = i + 1;
    }
    offset += start;
    carry = Buffer.from(data.subarray(start));
    data = carry;
  }
  if (carry.length > 0) yield { offset, bytes: carry, terminated: false };
}

/**
 * Open (or create) the delivery log in `dir`. Existing records are indexed (summaries and byte
 * offsets only: bodies stay on disk); a torn or unreadable record is skipped and reported.
 */
export async function openDeliveryLog(dir: string): Promise<DeliveryLog> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, LOG_FILE);
  const summaries: DeliverySummary[] = [];
  const entries = new Map<string, Entry>();
  /** Provider message id → the deliveries carrying it, in arrival order. */
  const byMessageId = new Map<string, string[]>();
  const warnings: string[] = [];
  let size = 0;
  let needsNewline = false;

  // Event names, paths and targets repeat across thousands of deliveries: keep one copy of each.
  const strings = new Map<string, string>();
  const intern = <T extends string | undefined>(value: T): T => {
    if (value === undefined) return value;
    const known = strings.get(value);
    if (known !== undefined) return known as T;
    if (strings.size < 10_000) strings.set(value, value);
    return value;
  };


  const existing = await stat(file).catch(() => undefined);
  size = existing?.size ?? 0;
  if (existing) {
    let lineNumber = 0;
    for await (const line of linesWithOffsets(file)) {
      lineNumber++;
      if (line.bytes.length === 0) continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line.bytes.toString('utf8')) as LogRecord;
      } catch {
        warnings.push(
          line.terminated
            ? `skipped an unreadable record at line ${lineNumber} of ${file}`
            : `skipped a torn last record at line ${lineNumber} of ${file} (the process stopped while writing it)`,
        );
        if (!line.terminated) needsNewline = true;
        continue;
      }
      if (!line.terminated) needsNewline = true;
      index(record, line.offset, line.bytes.length);
    }
  }

  function index(record: LogRecord, offset: number, length: number): void {
    if (record.kind === 'request') {
      if (!entries.has(record.id) && record.messageId !== undefined) {
        const ids = byMessageId.get(record.messageId);
        if (ids) ids.push(record.id);
        else byMessageId.set(record.messageId, [record.id]);
      }
      entries.set(record.id, { index: summaries.length, requestOffset: offset, requestLength: length });
      const s = summarizeRequest(record);
      summaries.push({ ...s, event: intern(s.event), method: intern(s.method), path: intern(s.path) });
    } else if (record.kind === 'outcome') {
      const entry = entries.get(record.id);
      if (!entry) return;
      entry.outcomeOffset = offset;
      entry.outcomeLength = length;
      const s = withOutcome(summaries[entry.index]!, record);
      summaries[entry.index] = { ...s, target: intern(s.target) };
    }
  }

  const handle: FileHandle = await open(file, 'a', 0o600);
  const reader: FileHandle = await open(file, 'r');
  const listeners = new Set<() => void>();

  // Group commit: records appended while a write is in flight go out together in the next one.
  let pending: { record: LogRecord; line: Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;
  if (needsNewline) {
    await handle.write('\n');
    size += 1;
  }

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      const buffer = Buffer.concat(batch.map((p) => p.line));
      try {
        await handle.write(buffer);
      } catch (error) {
        for (const p of batch) p.reject(error);
        continue;
      }
      let offset = size;
      for (const p of batch) {
        index(p.record, offset, p.line.length - 1);
        offset += p.line.length;
      }
      size = offset;
      for (const p of batch) p.resolve();
      for (const listener of listeners) listener();
    }
    flushing = undefined;
  }

  function append(record: LogRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      pending.push({ record, line: Buffer.from(`${JSON.stringify(record)}\n`), resolve, reject });
      flushing ??= flush();
    });
  }

  async function readRecord<T extends LogRecord>(offset: number, length: number): Promise<T> {
    const buffer = Buffer.alloc(length);
    await reader.read(buffer, 0, length, offset);
    return JSON.parse(buffer.toString('utf8')) as T;
  }

  let closed: Promise<void> | undefined;
  return {
    file,
    warnings,
    appendRequest: (record) => append(record),
    appendOutcome: (record) => append(record),
    size: () => summaries.length,
    summaries: (start, end) => summaries.slice(Math.max(0, start), Math.max(0, end)),
    async load(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      const request = await readRecord<RequestRecord>(entry.requestOffset, entry.requestLength);
      const outcome = entry.outcomeOffset === undefined ? undefined : await readRecord<OutcomeRecord>(entry.outcomeOffset, entry.outcomeLength!);
      return outcome ? { request, outcome } : ({ request } satisfies Delivery);
    },
    async searchBodies(text, signal) {
      const found = new Set<string>();
      if (text === '') return found;
      for await (const line of linesWithOffsets(file)) {
        if (signal?.aborted) break;
        if (line.bytes.length === 0) continue;
        try {
          const record = JSON.parse(line.bytes.toString('utf8')) as LogRecord;
          if (record.kind === 'request' && Buffer.from(record.bodyBase64, 'base64').includes(text)) found.add(record.id);
        } catch {
          // torn or unreadable: reported when opening
        }
      }
      return found;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resolveId(partial) {
      if (entries.has(partial)) return [partial];
      const carrying = byMessageId.get(partial);
      if (carrying) return [...carrying];
      const matches: string[] = [];
      for (const id of entries.keys()) if (id.includes(partial)) matches.push(id);
      return matches;
    },
    close: () =>
      (closed ??= (async () => {
        while (flushing) await flushing;
        await handle.close();
        await reader.close();
      })()),
  };
}
