import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { processAlive } from '../process-alive.js';

/**
 * One writer per store (SQLite's rule): the process appending to the delivery log holds
 * <store>/writer.lock, created with O_EXCL and naming its pid. A lock whose process is gone
 * (kill -9, a crash) is taken over at once; a pid check answers that immediately, where a
 * timestamp-refreshing lock (e.g. proper-lockfile) would make a restart after a crash wait.
 */
const LOCK_FILE = 'writer.lock';

const ownerSchema = z.strictObject({ pid: z.number().int().positive(), command: z.string().max(100), startedAt: z.string() });
export type LockOwner = z.infer<typeof ownerSchema>;

/** The store is being written by another live process: what it is, for the message. */
class StoreBusyError extends UsageError {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(`the store ${dir} is in use by \`webhook ${owner.command}\` (pid ${owner.pid}), its only writer`, {
      hint: `stop that first, or use another folder with --store (one writer per store keeps the log whole)`,
    });
  }
}

async function readLockOwner(dir: string): Promise<LockOwner | undefined> {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface WriterLock {
  release(): Promise<void>;
}

export async function acquireWriterLock(dir: string, command: string, now: Date): Promise<WriterLock> {
  const file = path.join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, command, startedAt: now.toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const current = await readLockOwner(dir);
      if (current && current.pid !== process.pid && processAlive(current.pid)) throw new StoreBusyError(dir, current);
      // Left by a process that is gone (or unreadable): take it over.
      await rm(file, { force: true });
    }
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if ((await readLockOwner(dir))?.pid === process.pid) await rm(file, { force: true });
    },
  };
}
