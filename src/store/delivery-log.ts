import { randomBytes } from 'node:crypto';
import { fstatSync, writeSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { DeliveryFeed } from './feed.js';
import { ensurePrivateFolder, openStoreFile } from './folder.js';
import { parseLogRecord, parseLogRecordWithoutBody } from './records.js';
import { SummaryIndex } from './summary-index.js';
import type { Delivery, LogRecord, OutcomeRecord, RequestRecord } from './types.js';
import { acquireWriterLock, type WriterLock } from './writer-lock.js';

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
/** A local delivery id: sortable by time, unique within a process (counter) and across processes (tag). */
export function newDeliveryId(clock: Clock): string {
  sequence = (sequence + 1) % 36 ** 3;
  return `d${clock.now().toString(36).padStart(9, '0')}${sequence.toString(36).padStart(3, '0')}${PROCESS_TAG}`;
}

const NEWLINE = 0x0a;

/**
 * Read every line of a file from `start` with its byte offset, through one reused buffer (grown
 * only for a line longer than it): bounded memory, and no allocation per chunk that would leave
 * the process's memory fragmented after indexing a large log. A line's bytes are valid until the
 * next line is asked for.
 */
async function* linesWithOffsets(file: string, start = 0): AsyncGenerator<{ offset: number; bytes: Buffer; terminated: boolean }> {
  const handle = await open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(1 << 20);
    /** Bytes in the buffer; buffer[0] is at `position` in the file. */
    let filled = 0;
    let position = start;
    for (;;) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer], buffer.length * 2);
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      const data = buffer.subarray(0, filled);
      let lineStart = 0;
      for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, lineStart)) {
        yield { offset: position + lineStart, bytes: data.subarray(lineStart, i), terminated: true };
        lineStart = i + 1;
      }
      buffer.copy(buffer, 0, lineStart, filled);
      filled -= lineStart;
      position += lineStart;
    }
    if (filled > 0) yield { offset: position, bytes: buffer.subarray(0, filled), terminated: false };
  } finally {
    await handle.close();
  }
}

/**
 * The buffer group commits are encoded into, reused from one write to the next (one write is in
 * flight at a time): lines are encoded straight into it, not each into a buffer of its own and
 * then copied together. Kept small between bursts of large bodies.
 */
function commitBuffer(): { fill(lines: readonly { line: string }[]): { buffer: Buffer; lengths: number[] }; done(): void } {
  const KEEP = 1 << 20;
  let buffer = Buffer.allocUnsafe(64 * 1024);
  return {
    fill(lines) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      let bound = 0;
      for (const { line } of lines) bound += line.length * 3;
      if (bound > buffer.length) buffer = Buffer.allocUnsafe(Math.max(bound, buffer.length * 2));
      const lengths: number[] = [];
      let used = 0;
      for (const { line } of lines) {
        const n = buffer.write(line, used, 'utf8');
        lengths.push(n);
        used += n;
      }
      return { buffer: buffer.subarray(0, used), lengths };
    },
    done() {
      if (buffer.length > KEEP) buffer = Buffer.allocUnsafe(64 * 1024);
    },
  };
}

/** The part of the append handle the log uses: a seam for tests that inject write faults. */
export type AppendHandle = Pick<FileHandle, 'write' | 'truncate' | 'stat' | 'close'>;

/**
 * The log file's append handle with its per-commit calls (write, stat) made as plain system
 * calls: a write of a commit into the page cache takes microseconds, where a thread-pool round
 * trip per call cost more of the receiver's CPU than the writing (what a write promises is the
 * same: the bytes are in the file, not yet synced).
 */
function directAppendHandle(handle: FileHandle): AppendHandle {
  const attempt = <T>(call: () => T): Promise<T> => {
    try {
      return Promise.resolve(call());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  return {
    write: ((buffer: Buffer) => attempt(() => ({ bytesWritten: writeSync(handle.fd, buffer), buffer }))) as AppendHandle['write'],
    truncate: (length) => handle.truncate(length),
    stat: (() => attempt(() => fstatSync(handle.fd))) as AppendHandle['stat'],
    close: () => handle.close(),
  };
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

/** A write of the log failed or was short: nothing of it counts, and the tail was cut back. */
export class LogWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'LogWriteError';
  }
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
  let size = 0;
  let needsNewline = false;

  const lock: WriterLock | undefined = writable ? await acquireWriterLock(dir, options.command ?? 'listen', options.now ?? new Date()) : undefined;

  /** Index what the file holds from `start` (the whole file at open; what another writer added later). */
  async function indexFrom(start: number): Promise<void> {
    let lineNumber = 0;
    for await (const line of linesWithOffsets(file, start)) {
      lineNumber++;
      if (line.bytes.length === 0) continue;
      if (!line.terminated) needsNewline = true;
      const parsed = parseLogRecordWithoutBody(line.bytes);
      if ('problem' in parsed) {
        const where = start === 0 ? `line ${lineNumber}` : `byte ${line.offset}`;
        warnings.push(
          !line.terminated
            ? `skipped a torn last record at ${where} of ${file} (the process stopped while writing it)`
            : parsed.problem === 'invalid JSON'
              ? `skipped an unreadable record at ${where} of ${file}`
              : `skipped an invalid record at ${where} of ${file} (${parsed.problem})`,
        );
        continue;
      }
      summaries.add(parsed.record, line.offset, line.bytes.length);
    }
  }

  const existing = await stat(file).catch(() => undefined);
  size = existing?.size ?? 0;
  if (existing) {
    try {
      await indexFrom(0);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  let handle: AppendHandle | undefined;
  let reader: FileHandle | undefined;
  try {
    handle = writable ? await (options.openAppend ?? (async (f) => directAppendHandle(await openStoreFile(f, 'append'))))(file) : undefined;
    reader = existing || writable ? await openStoreFile(file, 'read') : undefined;
  } catch (error) {
    await handle?.close();
    await lock?.release();
    throw error;
  }
  const listeners = new Set<() => void>();

  // Group commit: records appended while a write is in flight go out together in the next one,
  // each serialised once (a line of text) and encoded straight into one reused commit buffer.
  let pending: { record: LogRecord; line: string; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const commit = commitBuffer();
  let flushing: Promise<void> | undefined;
  /** A failed write may have left part of a record behind: cut back to `size` before the next. */
  let tornTail = false;
  if (needsNewline && handle) {
    await handle.write('\n');
    size += 1;
  }

  /** Before appending: repair a torn tail, and index records another writer added meanwhile. */
  async function prepareAppend(h: AppendHandle): Promise<void> {
    if (tornTail) {
      await h.truncate(size);
      tornTail = false;
    }
    const actual = (await h.stat()).size;
    if (actual > size) {
      warnings.push(`${file} grew under this process (another writer): re-indexed from byte ${size}`);
      const from = size;
      size = actual;
      await indexFrom(from);
    }
  }

  async function flush(h: AppendHandle): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      const { buffer, lengths } = commit.fill(batch);
      try {
        await prepareAppend(h);
        const { bytesWritten } = await h.write(buffer);
        if (bytesWritten !== buffer.length) {
          throw new LogWriteError(`short write to ${file}: ${bytesWritten} of ${buffer.length} bytes (is the disk full?)`, 'ENOSPC');
        }
      } catch (error) {
        // Never acknowledge a record that is not whole on disk; cut the partial bytes off now
        // (or before the next append, if even that fails).
        tornTail = true;
        await h.truncate(size).then(() => (tornTail = false), () => {});
        const code = error instanceof LogWriteError ? error.code : (error as NodeJS.ErrnoException).code;
        const failure =
          error instanceof LogWriteError
            ? error
            : new LogWriteError(`could not write ${file}: ${code === 'ENOSPC' ? 'the disk is full' : error instanceof Error ? error.message : String(error)}`, code);
        commit.done();
        for (const p of batch) p.reject(failure);
        continue;
      }
      let offset = size;
      for (let i = 0; i < batch.length; i++) {
        summaries.add(batch[i]!.record, offset, lengths[i]! - 1);
        offset += lengths[i]!;
      }
      size = offset;
      commit.done();
      for (const p of batch) p.resolve();
      for (const listener of listeners) listener();
    }
    flushing = undefined;
  }

  function append(record: LogRecord): Promise<void> {
    if (!handle) return Promise.reject(new Error(`the delivery log ${file} was opened read-only`));
    const h = handle;
    return new Promise<void>((resolve, reject) => {
      pending.push({ record, line: `${JSON.stringify(record)}\n`, resolve, reject });
      // The commit starts after this turn of the event loop: records arriving meanwhile go out in the same write.
      flushing ??= new Promise<void>((next) => setImmediate(next)).then(() => flush(h));
    });
  }

  async function readRecord<T extends LogRecord>(offset: number, length: number, kind: T['kind']): Promise<T | undefined> {
    if (!reader) return undefined;
    const buffer = Buffer.alloc(length);
    await reader.read(buffer, 0, length, offset);
    const parsed = parseLogRecord(buffer.toString('utf8'));
    return 'record' in parsed && parsed.record.kind === kind ? (parsed.record as T) : undefined;
  }

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
      const request = await readRecord<RequestRecord>(entry.requestOffset, entry.requestLength, 'request');
      if (!request) return undefined;
      const outcome = entry.outcomeOffset === undefined ? undefined : await readRecord<OutcomeRecord>(entry.outcomeOffset, entry.outcomeLength!, 'outcome');
      return outcome ? { request, outcome } : ({ request } satisfies Delivery);
    },
    async searchBodies(text, signal) {
      const found = new Set<string>();
      if (text === '' || !reader) return found;
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
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resolveId: (partial) => summaries.resolveId(partial),
    close: () =>
      (closed ??= (async () => {
        while (flushing) await flushing;
        await handle?.close();
        await reader?.close();
        await lock?.release();
      })()),
  };
}
