import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/**
 * The store holds deliveries (bodies, headers) and the running session's control token: it must
 * be a folder only its user can write. Created 0700; an existing one owned by someone else, or
 * writable by group or others, is refused (another local user could read it or plant files).
 */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) {
    throw new UsageError(`the store ${dir} is not a folder${st.isSymbolicLink() ? ' (a symbolic link)' : ''}`, { hint: 'point --store (or $WEBHOOK_STORE) at a folder of your own' });
  }
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX owner or mode bits to check
  if (st.uid !== uid) {
    throw new UsageError(`the store ${dir} belongs to another user (uid ${st.uid})`, { hint: 'use a folder of your own: --store ~/webhook-store, or $WEBHOOK_STORE' });
  }
  if ((st.mode & 0o022) !== 0) {
    throw new UsageError(`the store ${dir} is writable by other users (mode ${(st.mode & 0o777).toString(8)})`, {
      hint: `make it private with \`chmod 700 ${dir}\`, or use another folder with --store`,
    });
  }
}

/**
 * Open a file of the store without following a symbolic link planted in its place
 * (O_NOFOLLOW), creating it 0600 when `create`.
 */
export async function openStoreFile(file: string, mode: 'append' | 'read'): Promise<FileHandle> {
  const flags = mode === 'append' ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW : constants.O_RDONLY | constants.O_NOFOLLOW;
  try {
    return await open(file, flags, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new UsageError(`${file} is a symbolic link: the store keeps only files of its own`, { hint: `remove it (rm ${file}) if you did not make it` });
    }
    throw error;
  }
}

/**
 * Replace a file of the user's (a session, a ledger, a snapshot) whole, readable by them only:
 * written beside it with O_EXCL (never through a link planted under the temporary name), then
 * renamed over it, so a reader sees the old file or the new one, never half of one.
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  await rename(temporary, file);
}
