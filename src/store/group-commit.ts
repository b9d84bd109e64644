import { fstatSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { recordLine, type RecordLine } from './record-line.js';
import type { LogRecord } from './types.js';

const BODY_KEY = ',"bodyBase64":"';

/**
 * The buffer group commits are encoded into, reused from one write to the next (one write is in
 * flight at a time): lines are encoded straight into it (a body as it is: base64 is ASCII), not
 * each into a buffer of its own and then copied together. Kept small between bursts of large bodies.
 */
function commitBuffer(): { fill(lines: readonly { line: RecordLine }[]): { buffer: Buffer; lengths: number[] }; done(): void } {
  const KEEP = 1 << 20;
  let buffer = Buffer.allocUnsafe(64 * 1024);
  return {
    fill(lines) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      let bound = 0;
      for (const { line } of lines) bound += line.text.length * 3 + (line.body === undefined ? 1 : BODY_KEY.length + line.body.length + 3);
      if (bound > buffer.length) buffer = Buffer.allocUnsafe(Math.max(bound, buffer.length * 2));
      const lengths: number[] = [];
      let used = 0;
      for (const { line } of lines) {
        const start = used;
        used += buffer.write(line.text, used, 'utf8');
        if (line.body !== undefined) {
          // In place of the text's closing brace: the body's key, the body, the brace.
          used += buffer.write(BODY_KEY, used - 1, 'latin1') - 1;
          used += buffer.write(line.body, used, 'latin1');
          buffer[used++] = 0x22;
          buffer[used++] = 0x7d;
        }
        buffer[used++] = 0x0a;
        lengths.push(used - start);
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
export function directAppendHandle(handle: FileHandle): AppendHandle {
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

/** What the group commit tells the log: the file grew under it (another writer), records are on disk. */
export interface CommitHooks {
  /** The file is longer than this log wrote: index from `from` (called before the next write). */
  grew(from: number): Promise<void>;
  /** A record is whole on disk at `offset`, `length` bytes (without its newline). */
  written(record: LogRecord, offset: number, length: number): void;
  /** A commit is done: tell the readers. */
  committed(): void;
}

/**
 * Appends with group commit: records appended while a write is in flight go out together in the
 * next one, each serialised once (a line of text) and encoded straight into one reused commit
 * buffer. A record is acknowledged only once it is whole on disk; a failed or short write is cut
 * back off the file (now, or before the next write if even that fails).
 */
export function groupCommit(h: AppendHandle, file: string, startSize: number, hooks: CommitHooks) {
  let size = startSize;
  let pending: { record: LogRecord; line: RecordLine; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const commit = commitBuffer();
  let flushing: Promise<void> | undefined;
  /** A failed write may have left part of a record behind: cut back to `size` before the next. */
  let tornTail = false;

  /** Before appending: repair a torn tail, and index records another writer added meanwhile. */
  async function prepareAppend(): Promise<void> {
    if (tornTail) {
      await h.truncate(size);
      tornTail = false;
    }
    const actual = (await h.stat()).size;
    if (actual > size) {
      const from = size;
      size = actual;
      await hooks.grew(from);
    }
  }

  async function writeBatch(batch: typeof pending): Promise<void> {
    const { buffer, lengths } = commit.fill(batch);
    try {
      await prepareAppend();
      const { bytesWritten } = await h.write(buffer);
      if (bytesWritten !== buffer.length) throw new LogWriteError(`short write to ${file}: ${bytesWritten} of ${buffer.length} bytes (is the disk full?)`, 'ENOSPC');
    } catch (error) {
      tornTail = true;
      await h.truncate(size).then(() => (tornTail = false), () => {});
      commit.done();
      const failure = writeFailure(file, error);
      for (const p of batch) p.reject(failure);
      return;
    }
    let offset = size;
    for (let i = 0; i < batch.length; i++) {
      hooks.written(batch[i]!.record, offset, lengths[i]! - 1);
      offset += lengths[i]!;
    }
    size = offset;
    commit.done();
    for (const p of batch) p.resolve();
    hooks.committed();
  }

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      await writeBatch(batch);
    }
    flushing = undefined;
  }

  return {
    append(record: LogRecord): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        pending.push({ record, line: recordLine(record), resolve, reject });
        // The commit starts after this turn of the event loop: records arriving meanwhile go out in the same write.
        flushing ??= new Promise<void>((next) => setImmediate(next)).then(flush);
      });
    },
    /** Resolves once every appended record is written (or failed). */
    async drain(): Promise<void> {
      while (flushing) await flushing;
    },
  };
}

function writeFailure(file: string, error: unknown): LogWriteError {
  if (error instanceof LogWriteError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new LogWriteError(`could not write ${file}: ${code === 'ENOSPC' ? 'the disk is full' : error instanceof Error ? error.message : String(error)}`, code);
}
