import { randomBytes } from 'node:crypto';
import { stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { perMillisecond, type Clock } from '../clock.js';
import type { DeliveryFeed } from './feed.js';
import { ensurePrivateFolder, openStoreFile } from './folder.js';
import { parseLogRecord, parseLogRecordWithoutBody } from './records.js';
import { SummaryIndex } from './summary-index.js';
import type { Delivery, LogRecord, OutcomeRecord, RequestRecord } from './types.js';
import { acquireWriterLock, type WriterLock } from './writer-lock.js';
import { directAppendHandle, groupCommit, type AppendHandle } from './group-commit.js';
import { linesWithOffsets } from './log-lines.js';

export { LogWriteError, type AppendHandle } from './group-commit.js';

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

let sequence = 0;
/** Random per process, so two processes writing one store never make the same id. */
const PROCESS_TAG = randomBytes(3).toString('hex');
/** The time part of an id (deliveries in one millisecond share it). */
const timePart = perMillisecond((ms) => ms.toString(36).padStart(9, '0'));
/** A local delivery id: sortable by time, unique within a process (counter) and across processes (tag). */
export function newDeliveryId(clock: Clock): string {
  sequence = (sequence + 1) % 36 ** 3;
  return `d${timePart(clock.now())}${sequence.toString(36).padStart(3, '0')}${PROCESS_TAG}`;
}

export interface OpenLogOptions {
  /**
   * "write" (default): this process becomes the store's only writer (it holds the writer lock
   * until close). "read": look only (log, log show, export); nothing is created or locked.
   */
  readonly access?: 'write' | 'read';
  /** The command opening it, named to a second writer that is refused (default "listen"). */
  readonly command?: string;
  /** Wall clock for the lock file (default: now). */
  readonly now?: Date;
  /** Opens the append handle (default: the file, O_APPEND | O_NOFOLLOW, 0600). */
  readonly openAppend?: (file: string) => Promise<AppendHandle>;
}

/**
 * Open (or create) the delivery log in `dir`. Existing records are indexed (summaries and byte
 * offsets only: bodies stay on disk); a torn, unreadable or invalid record is skipped and reported.
 */
export async function openDeliveryLog(dir: string, options: OpenLogOptions = {}): Promise<DeliveryLog> {
  const writable = options.access !== 'read';
  if (writable) await ensurePrivateFolder(dir);
  const file = path.join(dir, LOG_FILE);
  const summaries = new SummaryIndex();
  const warnings: string[] = [];
  const lock: WriterLock | undefined = writable ? await acquireWriterLock(dir, options.command ?? 'listen', options.now ?? new Date()) : undefined;
  const existing = await stat(file).catch(() => undefined);
  let size = existing?.size ?? 0;
  let handle: AppendHandle | undefined;
  let reader: FileHandle | undefined;
  try {
    const { unterminated } = existing ? await indexRecords(file, 0, summaries, warnings, existing.size) : { unterminated: false };
    ({ handle, reader } = await openHandles(file, writable, existing !== undefined, options));
    // A record torn off by a crash: the next one starts on a line of its own.
    if (unterminated && handle) {
      await handle.write('\n');
      size += 1;
    }
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const listeners = new Set<() => void>();
  const appender = handle
    ? groupCommit(handle, file, size, {
        grew: async (from) => {
          warnings.push(`${file} grew under this process (another writer): re-indexed from byte ${from}`);
          await indexRecords(file, from, summaries, warnings);
        },
        written: (record, offset, length) => summaries.add(record, offset, length),
        committed: () => {
          for (const listener of listeners) listener();
        },
      })
    : undefined;
  const append = (record: LogRecord): Promise<void> => appender?.append(record) ?? Promise.reject(new Error(`the delivery log ${file} was opened read-only`));

  let closed: Promise<void> | undefined;
  return {
    file,
    warnings,
    appendRequest: (record) => append(record),
    appendOutcome: (record) => append(record),
    size: () => summaries.size,
    summaries: (start, end) => summaries.summaries(start, end),
    replaysOf: (id) => summaries.replaysOf(id),
    tally: () => summaries.tally(),
    async load(id) {
      const entry = summaries.place(id);
      if (!entry) return undefined;
      const request = await readRecord<RequestRecord>(reader, entry.requestOffset, entry.requestLength, 'request');
      if (!request) return undefined;
      const outcome = entry.outcomeOffset === undefined ? undefined : await readRecord<OutcomeRecord>(reader, entry.outcomeOffset, entry.outcomeLength!, 'outcome');
      return outcome ? { request, outcome } : ({ request } satisfies Delivery);
    },
    searchBodies: (text, signal) => (reader ? searchBodies(file, summaries, text, signal) : Promise.resolve(new Set<string>())),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resolveId: (partial) => summaries.resolveId(partial),
    close: () =>
      (closed ??= (async () => {
        await appender?.drain();
        await handle?.close();
        await reader?.close();
        await lock?.release();
      })()),
  };
}

/** Lines read before the index makes room for the rest of the file. */
const SAMPLE_LINES = 1000;

/**
 * Index what the file holds from `start` (the whole file at open; what another writer added
 * later). A torn, unreadable or invalid record is skipped with a warning; `unterminated`: the
 * last line has no newline (the next append must start on a line of its own).
 */
async function indexRecords(file: string, start: number, summaries: SummaryIndex, warnings: string[], fileSize = 0): Promise<{ unterminated: boolean }> {
  let lineNumber = 0;
  let unterminated = false;
  const rowsBefore = summaries.size;
  for await (const line of linesWithOffsets(file, start)) {
    lineNumber++;
    // Having seen a sample, make room for the whole file at once (5 % spare) instead of growing.
    if (lineNumber === SAMPLE_LINES && summaries.size > rowsBefore) summaries.reserve(Math.ceil((((summaries.size - rowsBefore) * (fileSize - start)) / (line.offset - start)) * 1.05));
    if (line.bytes.length === 0) continue;
    if (!line.terminated) unterminated = true;
    const parsed = parseLogRecordWithoutBody(line.bytes);
    if ('record' in parsed) {
      summaries.add(parsed.record, line.offset, line.bytes.length);
      continue;
    }
    const where = start === 0 ? `line ${lineNumber}` : `byte ${line.offset}`;
    warnings.push(
      !line.terminated
        ? `skipped a torn last record at ${where} of ${file} (the process stopped while writing it)`
        : parsed.problem === 'invalid JSON'
          ? `skipped an unreadable record at ${where} of ${file}`
          : `skipped an invalid record at ${where} of ${file} (${parsed.problem})`,
    );
  }
  return { unterminated };
}

async function readRecord<T extends LogRecord>(reader: FileHandle | undefined, offset: number, length: number, kind: T['kind']): Promise<T | undefined> {
  if (!reader) return undefined;
  const buffer = Buffer.alloc(length);
  await reader.read(buffer, 0, length, offset);
  const parsed = parseLogRecord(buffer.toString('utf8'));
  return 'record' in parsed && parsed.record.kind === kind ? (parsed.record as T) : undefined;
}

/** Ids of the indexed requests whose body contains `text` (read from the file, a line at a time). */
async function searchBodies(file: string, summaries: SummaryIndex, text: string, signal: AbortSignal | undefined): Promise<Set<string>> {
  const found = new Set<string>();
  if (text === '') return found;
  for await (const line of linesWithOffsets(file)) {
    if (signal?.aborted) break;
    if (line.bytes.length === 0) continue;
    // Only the requests the index holds count: each was checked when it was indexed (torn,
    // unreadable or invalid lines were reported then), so reading the body is enough here.
    let value: { id?: unknown; bodyBase64?: unknown };
    try {
      value = JSON.parse(line.bytes.toString('utf8')) as typeof value;
    } catch {
      continue;
    }
    if (typeof value.id !== 'string' || typeof value.bodyBase64 !== 'string' || summaries.place(value.id)?.requestOffset !== line.offset) continue;
    if (Buffer.from(value.bodyBase64, 'base64').includes(text)) found.add(value.id);
  }
  return found;
}

/** The append handle (writers) and the reader (`load`); the first is closed again if the second fails. */
async function openHandles(file: string, writable: boolean, exists: boolean, options: OpenLogOptions): Promise<{ handle: AppendHandle | undefined; reader: FileHandle | undefined }> {
  const handle = writable ? await (options.openAppend ?? (async (f) => directAppendHandle(await openStoreFile(f, 'append'))))(file) : undefined;
  try {
    return { handle, reader: exists || writable ? await openStoreFile(file, 'read') : undefined };
  } catch (error) {
    await handle?.close();
    throw error;
  }
}
